/**
 * `createHttpServer`: the HTTP transport as a `ServerTransport` on its own
 * `node:http` server, for `createMonitor({ transports })` (and the
 * conformance suite). The lifecycle (one start, close while starting,
 * idempotent close) is the kit's `createServerLifecycle`; this file binds the
 * server, bounds its time limits, and tracks its sockets so that `close()`
 * also ends idle keep-alive connections and really frees the port.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { HeartbeatError } from '@hb/core'
import type { ServerTransport } from '@hb/core'
import { checkHost, checkOptionNames, checkPort, checkPositiveInteger, configError, createServerLifecycle } from '@hb/core/adapter'
import type { ServerTransportHandler, TransportAddress, TransportStartOptions } from '@hb/core/adapter'
import { checkPath } from './handler-options.js'
import { handleNodeRequest } from './node-request.js'
import { boundServerTimeouts, DEFAULT_REQUEST_TIMEOUT_MS, serverOptionsFor } from './server-timeouts.js'

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /**
   * Address to listen on. Default: every interface (Node's default, IPv6 and
   * IPv4 where the OS allows). A monitor exists to hear other machines, and
   * every frame it accepts is signed; pass `127.0.0.1` to hear only this one.
   */
  host?: string
  /** Port; `0` picks a free one (read it from `address()`). */
  port: number
  /** Serve only this path (other paths: 404). Default: every path. */
  path?: string
  /**
   * The longest a client may take to send one request (headers and body), and
   * the longest a connection may stay silent, before its first request or
   * between keep-alive requests: then it is closed. Default: the serving
   * monitor's `helloTimeoutMs` (10 000 unless set), the bound TCP and WS put
   * on a link that has not authenticated. Keep it above the beat interval if you want
   * beaters to reuse their connection.
   */
  requestTimeoutMs?: number
  /** Told about server errors after listening (e.g. EMFILE on accept); they never crash the process. Must not throw. */
  onError?: (error: HeartbeatError) => void
}

/** An HTTP `ServerTransport`. */
export interface HttpServerTransport extends ServerTransport {
  readonly name: 'http'
  readonly kind: 'request'
}

/** The host part of a URL for a bound address: loopback for a wildcard bind, brackets for IPv6. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/** Every option's name (the compiler keeps it in step with `HttpServerOptions`). */
const SERVER_OPTIONS = {
  host: true, port: true, path: true, requestTimeoutMs: true, onError: true,
} as const satisfies Record<keyof HttpServerOptions, true>

/**
 * Creates an HTTP server transport; the monitor starts it (listen) and closes
 * it. Bodies are limited to the monitor's `maxFrameBytes`. `address().url` is
 * the URL to give `createHttpClient`.
 *
 * ```ts
 * const monitor = createMonitor({ secret, transports: [createHttpServer({ port: 8080, path: '/hb' })] })
 * await monitor.start()
 * ```
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createHttpServer(options: HttpServerOptions): HttpServerTransport {
  if (typeof options !== 'object' || options === null) throw configError('createHttpServer needs { port }')
  checkOptionNames('createHttpServer', options, SERVER_OPTIONS)
  const host = options.host === undefined ? undefined : checkHost(options.host)
  const port = checkPort(options.port, { allowZero: true })
  const path = checkPath(options.path)
  const givenRequestTimeoutMs =
    options.requestTimeoutMs === undefined ? undefined : checkPositiveInteger('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS)
  const onError = options.onError
  if (onError !== undefined && typeof onError !== 'function') throw configError('onError must be a function')

  let server: Server | undefined
  const sockets = new Set<Socket>()

  const reportError = (error: Error): void => {
    try {
      onError?.(new HeartbeatError('HB_ERR_TRANSPORT', 'http server error', { cause: error }))
    } catch {
      // A throwing listener must not crash the server.
    }
  }

  function listen(handler: ServerTransportHandler, startOptions: TransportStartOptions): Promise<TransportAddress> {
    const requestOptions = { path, maxBodyBytes: startOptions.maxFrameBytes }
    const requestTimeoutMs = givenRequestTimeoutMs ?? Math.ceil(startOptions.helloTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
    const current = createServer(serverOptionsFor(requestTimeoutMs), (req, res) => handleNodeRequest(handler, req, res, requestOptions))
    boundServerTimeouts(current, requestTimeoutMs)
    current.on('connection', (socket: Socket) => {
      if (lifecycle.closing) return void socket.destroy()
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
    })
    return new Promise<TransportAddress>((resolve, reject) => {
      const onListenError = (error: Error): void => {
        reject(new HeartbeatError('HB_ERR_TRANSPORT', `http: cannot listen on ${host ?? 'every interface'}:${port}`, { cause: error }))
      }
      current.once('error', onListenError)
      current.listen({ host, port, exclusive: true }, () => {
        current.off('error', onListenError)
        current.on('error', reportError)
        const address = current.address()
        // Never a string (that is a pipe), and never null right after 'listening'.
        if (address === null || typeof address === 'string') {
          current.close()
          return reject(new HeartbeatError('HB_ERR_TRANSPORT', 'http: server has no address'))
        }
        server = current
        resolve({
          host: address.address,
          port: address.port,
          family: address.family,
          url: `http://${urlHost(address.address)}:${address.port}${path ?? '/'}`,
        })
      })
    })
  }

  function release(): Promise<void> {
    const current = server
    server = undefined
    if (current === undefined) return Promise.resolve()
    return new Promise((resolve) => {
      // close() stops accepting and calls back once every connection is gone; destroying
      // them (idle keep-alive and lingering ones included) is what makes that happen now.
      current.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
  }

  const lifecycle = createServerLifecycle({ name: 'http', listen, release })
  return {
    name: 'http',
    kind: 'request',
    start: lifecycle.start,
    address: lifecycle.address,
    close: lifecycle.close,
  }
}
