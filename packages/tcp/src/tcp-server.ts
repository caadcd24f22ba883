/**
 * The server side of the TCP transport: a `net.Server` whose every accepted
 * socket is a core `Link` carrying length-prefixed frames.
 *
 * Who closes a connection, and why:
 * - the core, through `link.close()`: a peer it declared dead, or a connection
 *   that sent no valid frame within `helloTimeoutMs` (deadlines live in core);
 * - this adapter, at once: a peer announcing a frame over `maxFrameBytes`
 *   (`too-large`) or a zero-length frame (`malformed`), since the stream can no
 *   longer be trusted to be in step; a peer that half-closes its side;
 * - the OS, through TCP keepalive: a second line of defence for a socket
 *   whose peer vanished without a FIN or RST.
 */
import { createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { HeartbeatError } from '@hb/core'
import type { ServerTransport } from '@hb/core'
import type { ServerTransportHandler, TransportAddress, TransportStartOptions } from '@hb/core/adapter'
import { createTcpLink } from './tcp-link.js'
import type { TcpLink } from './tcp-link.js'
import { checkKeepAliveDelay, checkPort, checkPositiveInteger } from './tcp-options.js'

/** Options of {@link createTcpServer}. */
export interface TcpServerOptions {
  /** Interface to listen on. Default: every interface (Node's default, `::` or `0.0.0.0`). */
  host?: string
  /** Port to listen on; 0 picks a free one (see `address()`). */
  port: number
  /**
   * Idle time before the OS sends the first TCP keepalive probe. Keepalive is
   * always on, as a second line of defence: the core's signed beats and
   * deadlines are the first. 0 keeps the OS default. Default 30 000.
   */
  keepAliveInitialDelayMs?: number
  /** Disable Nagle's algorithm, so a small ack leaves at once (better RTT). Default true. */
  noDelay?: boolean
  /** Replies to a connection are dropped while more than this many bytes wait unsent on it. Default 65 536. */
  maxBufferedBytes?: number
}

/**
 * Creates the TCP server transport (`name: 'tcp'`, `kind: 'connection'`), to
 * be passed to `createMonitor({ transports: [...] })`. Validates its options
 * now (`HB_ERR_CONFIG`); binds on `start()`.
 */
export function createTcpServer(options: TcpServerOptions): ServerTransport {
  const port = checkPort(options.port, 0)
  const host = options.host
  const keepAliveDelay = checkKeepAliveDelay(options.keepAliveInitialDelayMs)
  const noDelay = options.noDelay ?? true
  const maxBufferedBytes = checkPositiveInteger('maxBufferedBytes', options.maxBufferedBytes, 65_536)

  let server: Server | undefined
  let bound: TransportAddress | null = null
  let starting: Promise<void> | undefined
  let closing: Promise<void> | undefined
  let nextLinkId = 1
  const links = new Set<TcpLink>()

  function accept(socket: Socket, handler: ServerTransportHandler, maxFrameBytes: number): void {
    if (closing !== undefined) {
      socket.destroy()
      return
    }
    socket.setNoDelay(noDelay)
    socket.setKeepAlive(true, keepAliveDelay)
    const link = createTcpLink(socket, nextLinkId++, {
      handler,
      maxFrameBytes,
      maxBufferedBytes,
      onDown: (gone) => links.delete(gone),
    })
    // The core may close the link from inside onLinkUp (a closing monitor).
    if (link.up) links.add(link)
  }

  function listen(handler: ServerTransportHandler, startOptions: TransportStartOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const srv = createServer()
      server = srv
      srv.on('connection', (socket) => accept(socket, handler, startOptions.maxFrameBytes))
      const onError = (error: Error): void => {
        srv.off('listening', onListening)
        server = undefined
        reject(new HeartbeatError('HB_ERR_TRANSPORT', `tcp: cannot listen on ${host ?? '*'}:${port}`, { cause: error }))
      }
      const onListening = (): void => {
        srv.off('error', onError)
        // Accept errors (EMFILE, …) are transient and must not crash the process; the server keeps listening.
        srv.on('error', () => undefined)
        const info = srv.address() as AddressInfo
        if (closing === undefined) bound = { host: info.address, port: info.port, family: info.family }
        resolve()
      }
      srv.once('error', onError)
      srv.once('listening', onListening)
      srv.listen({ port, host })
    })
  }

  return {
    name: 'tcp',
    kind: 'connection',
    start(handler, startOptions) {
      if (closing !== undefined) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'tcp: server is closed'))
      if (starting !== undefined) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', 'tcp: server already started'))
      starting = listen(handler, startOptions)
      return starting
    },
    address() {
      return bound
    },
    close() {
      closing ??= (async () => {
        bound = null
        // A close during start() waits for the bind to settle, then undoes it.
        await starting?.catch(() => undefined)
        const srv = server
        server = undefined
        // Reports each link down first, then destroys its socket.
        for (const link of [...links]) link.close()
        if (srv?.listening === true) await new Promise<void>((resolve) => srv.close(() => resolve()))
      })()
      return closing
    },
  }
}
