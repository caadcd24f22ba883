/**
 * The server side of the WebSocket transport, on the `ws` package: standalone
 * on its own port, or attached to an existing `http.Server` at one path. The
 * start/close state machine is the adapter kit's (`createServerLifecycle`);
 * this file maps upgrades to links.
 *
 * Who closes a connection, and why:
 * - the core, through `link.close()` (→ `ws.terminate()`): a peer it declared
 *   dead, or a connection that sent no valid frame within `helloTimeoutMs`;
 * - `ws`, with close code 1009, a message over `maxFrameBytes` (refused from
 *   its header, before it is buffered), with 1002/1007 a protocol violation,
 *   and by terminating a ping flood: each is reported to the core as a rejection;
 * - the standalone HTTP server, a socket that has not upgraded within
 *   `upgradeTimeoutMs` (see `upgrade-server.ts`).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { Duplex } from 'node:stream'
import { Server as TlsServer } from 'node:tls'
import type { ServerTransport } from '@hb/core'
import { checkHost, checkOptionNames, checkPort, checkPositiveInteger, configError, createServerLifecycle, formatAddress } from '@hb/core/adapter'
import type { ServerTransportHandler, TransportAddress } from '@hb/core/adapter'
import { WebSocketServer } from 'ws'
import { createUpgradeServer } from './upgrade-server.js'
import { createWsLink, MAX_PENDING_PONGS } from './ws-link.js'
import type { WsLink } from './ws-link.js'

/** Standalone: the transport runs its own HTTP server for the upgrades. */
export interface WsStandaloneOptions {
  /** Port to listen on; 0 picks a free one (see `address()`). */
  port: number
  /** Interface to listen on. Default: every interface (Node's default; see the README for why). */
  host?: string
  /** Accept upgrades at this path only (others get 400). Default: any path. */
  path?: string
  /** Replies to a connection are dropped while more than this many bytes wait unsent on it. Default 65 536. */
  maxBufferedBytes?: number
  /**
   * How long a socket may take, from connecting, to send a complete upgrade
   * request; an idle or slow one is closed then. Default: the serving
   * monitor's `helloTimeoutMs` (10 000 unless set; it bounds the time after
   * the upgrade), so no socket outlives the core's deadline.
   */
  upgradeTimeoutMs?: number
}

/** Attached: upgrades at `path` on the caller's server are taken; every other request is left alone. */
export interface WsAttachedOptions {
  /** A server the caller created, listens with, and closes (its timeouts are the caller's: see the README). */
  server: HttpServer | HttpsServer
  /** The path hb's WebSocket lives at, e.g. `/hb` (matched exactly, query string ignored). */
  path: string
  /** Replies to a connection are dropped while more than this many bytes wait unsent on it. Default 65 536. */
  maxBufferedBytes?: number
}

/** Options of {@link createWsServer}: standalone or attached. */
export type WsServerOptions = WsStandaloneOptions | WsAttachedOptions

/** Every option's name, of either form (the compiler keeps it in step with both). */
const SERVER_OPTIONS = { port: true, host: true, path: true, maxBufferedBytes: true, upgradeTimeoutMs: true, server: true } as const satisfies Record<
  keyof WsStandaloneOptions | keyof WsAttachedOptions,
  true
>

/**
 * Creates the WebSocket server transport (`name: 'ws'`, `kind: 'connection'`)
 * for `createMonitor({ transports: [...] })`. Validates its options now
 * (`HB_ERR_CONFIG`); listens (standalone) or hooks `upgrade` (attached) on `start()`.
 */
export function createWsServer(options: WsServerOptions): ServerTransport {
  if (typeof options !== 'object' || options === null) throw configError('createWsServer needs { port } or { server, path }')
  checkOptionNames('createWsServer', options, SERVER_OPTIONS)
  const attachedTo = 'server' in options ? options.server : undefined
  const path = options.path
  // Attached mode needs a path: the rest of the caller's server is not ours to take.
  if ((attachedTo !== undefined || path !== undefined) && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw configError(`path must be a string starting with "/", got ${String(path)}`)
  }
  const standalone = 'server' in options ? undefined : options
  const port = standalone === undefined ? 0 : checkPort(standalone.port, { allowZero: true })
  // No host: every interface (a monitor exists to hear other machines; every accepted frame is signed).
  const host = standalone?.host === undefined ? undefined : checkHost(standalone.host)
  const givenUpgradeTimeoutMs = standalone?.upgradeTimeoutMs === undefined ? undefined : checkPositiveInteger('upgradeTimeoutMs', standalone.upgradeTimeoutMs, 10_000)
  const maxBufferedBytes = checkPositiveInteger('maxBufferedBytes', options.maxBufferedBytes, 65_536)

  let own: HttpServer | undefined
  let wss: WebSocketServer | undefined
  let handler: ServerTransportHandler | undefined
  let nextLinkId = 1
  /** Links whose socket is not closed yet: close() waits for them before it resolves. */
  const unreleased = new Set<WsLink>()

  const lifecycle = createServerLifecycle({
    name: 'ws',
    async listen(h, startOptions) {
      handler = h
      // maxPayload makes ws refuse an oversize message from its header, before buffering it.
      wss = new WebSocketServer({
        noServer: true,
        maxPayload: startOptions.maxFrameBytes,
        clientTracking: false,
        perMessageDeflate: false,
        // Not in @types/ws 8.18 yet; see MAX_PENDING_PONGS.
        ...({ maxPendingAutoPongs: MAX_PENDING_PONGS } as object),
      })
      if (attachedTo !== undefined) {
        attachedTo.on('upgrade', onUpgrade)
        // Attached: address() follows the caller's server; this one is not used.
        return addressOf(attachedTo) ?? { host: '', port: 0, family: '' }
      }
      const server = createUpgradeServer(givenUpgradeTimeoutMs ?? Math.ceil(startOptions.helloTimeoutMs ?? 10_000))
      server.on('upgrade', onUpgrade)
      await listenOn(server, port, host)
      own = server
      return addressOf(server) ?? { host: host ?? '', port, family: '' }
    },
    async release() {
      attachedTo?.off('upgrade', onUpgrade)
      wss?.close()
      await Promise.all([...unreleased].map((link) => link.released))
      const server = own
      if (server !== undefined) {
        // Idle keep-alive HTTP connections would hold the port open.
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
      handler = undefined
    },
  })

  function matches(url: string | undefined): boolean {
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
    if (lifecycle.closing || wss === undefined) {
      socket.destroy()
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (lifecycle.closing || handler === undefined) {
        ws.terminate()
        return
      }
      const link = createWsLink(ws, nextLinkId++, {
        handler,
        remoteAddress: formatAddress(request.socket.remoteAddress, request.socket.remotePort),
        maxBufferedBytes,
        onDown: (gone) => lifecycle.removeLink(gone),
        socket,
      })
      unreleased.add(link)
      void link.released.then(() => unreleased.delete(link))
      // The core may close the link from inside onLinkUp (a closing monitor).
      if (link.up && !lifecycle.addLink(link)) link.close()
    })
  }

  return {
    name: 'ws',
    kind: 'connection',
    start: lifecycle.start,
    close: lifecycle.close,
    address(): TransportAddress | null {
      if (lifecycle.state !== 'listening') return null
      // Attached: wherever the caller's server listens now (null while it does not).
      return addressOf(attachedTo ?? own)
    },
  }

  function addressOf(server: HttpServer | HttpsServer | undefined): TransportAddress | null {
    const info = server?.address()
    if (info === null || info === undefined || typeof info === 'string') return null
    const scheme = server instanceof TlsServer ? 'wss' : 'ws'
    const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address
    return { host: info.address, port: info.port, family: info.family, url: `${scheme}://${shown}:${info.port}${path ?? '/'}` }
  }
}

/** Listens; rejects with the listen error (the lifecycle wraps it in `HB_ERR_TRANSPORT`). */
function listenOn(server: HttpServer, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening)
      reject(error)
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
