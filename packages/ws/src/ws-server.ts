/**
 * The server side of the WebSocket transport, on the `ws` package: standalone
 * on its own port, or attached to an existing `http.Server` at one path.
 *
 * Who closes a connection, and why:
 * - the core, through `link.close()` (→ `ws.terminate()`): a peer it declared
 *   dead, or a connection that sent no valid frame within `helloTimeoutMs`;
 * - `ws`, with close code 1009, a message over `maxFrameBytes` (refused from
 *   its header, before it is buffered), and with 1002/1007 a protocol
 *   violation: both are reported to the core as rejections;
 * - the core's ping when a peer turns suspect: not evidence of life (a proxy
 *   can answer it), but its write makes a half-open connection fail sooner.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server as HttpServer } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { Server as TlsServer } from 'node:tls'
import { HeartbeatError } from '@hb/core'
import type { ServerTransport } from '@hb/core'
import type { ServerTransportHandler, TransportAddress } from '@hb/core/adapter'
import { WebSocketServer } from 'ws'
import { formatAddress } from '@hb/core/adapter'
import { createWsLink } from './ws-link.js'
import type { WsLink } from './ws-link.js'

/** Standalone: the transport runs its own HTTP server for the upgrades. */
export interface WsStandaloneOptions {
  /** Port to listen on; 0 picks a free one (see `address()`). */
  port: number
  /** Interface to listen on. Default: every interface (Node's default). */
  host?: string
  /** Accept upgrades at this path only (others get 400). Default: any path. */
  path?: string
  /** Replies to a connection are dropped while more than this many bytes wait unsent on it. Default 65 536. */
  maxBufferedBytes?: number
}

/** Attached: upgrades at `path` on the caller's server are taken; every other request is left alone. */
export interface WsAttachedOptions {
  /** A server the caller created, listens with, and closes. */
  server: HttpServer | HttpsServer
  /** The path hb's WebSocket lives at, e.g. `/hb` (matched exactly, query string ignored). */
  path: string
  /** Replies to a connection are dropped while more than this many bytes wait unsent on it. Default 65 536. */
  maxBufferedBytes?: number
}

/** Options of {@link createWsServer}: standalone or attached. */
export type WsServerOptions = WsStandaloneOptions | WsAttachedOptions

/**
 * Creates the WebSocket server transport (`name: 'ws'`, `kind: 'connection'`)
 * for `createMonitor({ transports: [...] })`. Validates its options now
 * (`HB_ERR_CONFIG`); listens (standalone) or hooks `upgrade` (attached) on `start()`.
 */
export function createWsServer(options: WsServerOptions): ServerTransport {
  const attachedTo = 'server' in options ? options.server : undefined
  const standalone = 'server' in options ? undefined : options
  const path = options.path
  // Attached mode needs a path: the rest of the caller's server is not ours to take.
  if ((attachedTo !== undefined || path !== undefined) && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new HeartbeatError('HB_ERR_CONFIG', `path must be a string starting with "/", got ${String(path)}`)
  }
  if (standalone !== undefined) {
    const { port } = standalone
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new HeartbeatError('HB_ERR_CONFIG', `port must be an integer from 0 to 65535, got ${String(port)}`)
    }
  }
  const maxBufferedBytes = options.maxBufferedBytes ?? 65_536
  if (!Number.isInteger(maxBufferedBytes) || maxBufferedBytes < 1) {
    throw new HeartbeatError('HB_ERR_CONFIG', `maxBufferedBytes must be a positive integer, got ${String(maxBufferedBytes)}`)
  }

  let own: HttpServer | undefined
  let wss: WebSocketServer | undefined
  let handler: ServerTransportHandler | undefined
  let started = false
  let starting: Promise<void> | undefined
  let closing: Promise<void> | undefined
  let nextLinkId = 1
  const links = new Set<WsLink>()

  const matches = (url: string | undefined): boolean => {
    if (path === undefined) return true
    const raw = url ?? ''
    const query = raw.indexOf('?')
    return (query < 0 ? raw : raw.slice(0, query)) === path
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!matches(request.url)) {
      // Attached: another listener's business. Standalone: nobody else is listening.
      if (attachedTo === undefined) {
        // Node hands an upgraded socket over without an error listener; a reset must not crash us.
        socket.on('error', () => undefined)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      }
      return
    }
    if (closing !== undefined || wss === undefined) {
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (closing !== undefined || handler === undefined) {
        ws.terminate()
        return
      }
      const link = createWsLink(ws, nextLinkId++, {
        handler,
        remoteAddress: formatAddress(request.socket.remoteAddress, request.socket.remotePort),
        maxBufferedBytes,
        onDown: (gone) => links.delete(gone),
        socket,
      })
      // The core may close the link from inside onLinkUp (a closing monitor).
      if (link.up) links.add(link)
    })
  }

  function listen(server: HttpServer, port: number, host: string | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        server.off('listening', onListening)
        reject(new HeartbeatError('HB_ERR_TRANSPORT', `ws: cannot listen on ${host ?? '*'}:${port}`, { cause: error }))
      }
      const onListening = (): void => {
        server.off('error', onError)
        // Accept errors (EMFILE, …) are transient and must not crash the process.
        server.on('error', () => undefined)
        resolve()
      }
      server.once('error', onError)
      server.once('listening', onListening)
      server.listen({ port, host })
    })
  }

  async function start(h: ServerTransportHandler, maxFrameBytes: number): Promise<void> {
    handler = h
    // maxPayload makes ws refuse an oversize message from its header, before buffering it.
    wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, clientTracking: false, perMessageDeflate: false })
    if (standalone === undefined) {
      attachedTo?.on('upgrade', onUpgrade)
      return
    }
    own = createServer((_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'close' })
      response.end('Upgrade Required')
    })
    own.on('upgrade', onUpgrade)
    try {
      await listen(own, standalone.port, standalone.host)
    } catch (error) {
      own = undefined
      throw error
    }
  }

  return {
    name: 'ws',
    kind: 'connection',
    start(h, startOptions) {
      if (closing !== undefined) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'ws: server is closed'))
      if (started) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', 'ws: server already started'))
      started = true
      starting = start(h, startOptions.maxFrameBytes)
      return starting
    },
    address(): TransportAddress | null {
      // Attached: whatever the caller's server listens on now (null if it does not yet).
      const server = attachedTo ?? own
      if (!started || closing !== undefined || server === undefined) return null
      const info = server.address()
      if (info === null || typeof info === 'string') return null
      return addressOf(info, server instanceof TlsServer ? 'wss' : 'ws', path)
    },
    close() {
      closing ??= (async () => {
        await starting?.catch(() => undefined)
        attachedTo?.off('upgrade', onUpgrade)
        // Reports each link down first, then terminates it.
        const open = [...links]
        for (const link of open) link.close()
        wss?.close()
        await Promise.all(open.map((link) => link.released))
        const server = own
        if (server?.listening === true) {
          // Idle keep-alive HTTP connections would hold the port open.
          server.closeAllConnections()
          await new Promise<void>((resolve) => server.close(() => resolve()))
        }
        handler = undefined
      })()
      return closing
    },
  }
}

function addressOf(info: AddressInfo, scheme: string, path: string | undefined): TransportAddress {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
  return { host: info.address, port: info.port, family: info.family, url: `${scheme}://${host}:${info.port}${path ?? '/'}` }
}
