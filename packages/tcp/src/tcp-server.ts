/**
 * The server side of the TCP transport: a `net.Server` whose every accepted
 * socket is a core `Link` carrying length-prefixed frames. Its start/close
 * states are the adapter kit's (`createServerLifecycle`); this file binds and
 * unbinds the socket and turns connections into links.
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
import { checkHost, checkOptionNames, checkPort, checkPositiveInteger, configError, createServerLifecycle } from '@hb/core/adapter'
import type { ServerTransportHandler, TransportAddress, TransportStartOptions } from '@hb/core/adapter'
import { createTcpLink } from './tcp-link.js'
import type { TcpLink } from './tcp-link.js'
import { checkKeepAliveDelay } from './tcp-options.js'

/** Options of {@link createTcpServer}. */
export interface TcpServerOptions {
  /**
   * Interface to listen on. Default: every interface (Node's default, `::` or
   * `0.0.0.0`): a monitor exists to hear other machines, and every frame it
   * accepts is signed.
   */
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

/** Every option's name (the compiler keeps it in step with `TcpServerOptions`). */
const SERVER_OPTIONS = { host: true, port: true, keepAliveInitialDelayMs: true, noDelay: true, maxBufferedBytes: true } as const satisfies Record<
  keyof TcpServerOptions,
  true
>

/**
 * Creates the TCP server transport (`name: 'tcp'`, `kind: 'connection'`), to
 * be passed to `createMonitor({ transports: [...] })`. Validates its options
 * now (`HB_ERR_CONFIG`); binds on `start()`.
 */
export function createTcpServer(options: TcpServerOptions): ServerTransport {
  if (typeof options !== 'object' || options === null) throw configError('createTcpServer needs { port }')
  checkOptionNames('createTcpServer', options, SERVER_OPTIONS)
  const port = checkPort(options.port, { allowZero: true })
  // undefined: Node listens on every interface (`::`, or `0.0.0.0` without IPv6).
  const host = options.host === undefined ? undefined : checkHost(options.host)
  const keepAliveDelay = checkKeepAliveDelay(options.keepAliveInitialDelayMs)
  const noDelay = options.noDelay ?? true
  const maxBufferedBytes = checkPositiveInteger('maxBufferedBytes', options.maxBufferedBytes, 65_536)

  let server: Server | undefined
  let nextLinkId = 1

  const lifecycle = createServerLifecycle({ name: 'tcp', listen, release })
  // One function for every link, not one per link.
  const untrack = (link: TcpLink): void => lifecycle.removeLink(link)

  function accept(socket: Socket, handler: ServerTransportHandler, maxFrameBytes: number): void {
    if (lifecycle.closing) {
      socket.destroy()
      return
    }
    socket.setNoDelay(noDelay)
    socket.setKeepAlive(true, keepAliveDelay)
    const link = createTcpLink(socket, nextLinkId++, {
      handler,
      maxFrameBytes,
      maxBufferedBytes,
      onDown: untrack,
    })
    // The core may have closed the link from inside onLinkUp; a server that
    // began closing meanwhile does not track it, so it is closed here.
    if (link.up && !lifecycle.addLink(link)) link.close()
  }

  function listen(handler: ServerTransportHandler, startOptions: TransportStartOptions): Promise<TransportAddress> {
    return new Promise<TransportAddress>((resolve, reject) => {
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
        resolve({ host: info.address, port: info.port, family: info.family })
      }
      srv.once('error', onError)
      srv.once('listening', onListening)
      srv.listen({ port, host })
    })
  }

  function release(): Promise<void> {
    const srv = server
    server = undefined
    // Every link's socket was destroyed first, so this resolves once the OS let go of the port.
    if (srv?.listening !== true) return Promise.resolve()
    return new Promise<void>((resolve) => srv.close(() => resolve()))
  }

  return {
    name: 'tcp',
    kind: 'connection',
    start: (handler, startOptions) => lifecycle.start(handler, startOptions),
    address: () => lifecycle.address(),
    close: () => lifecycle.close(),
  }
}
