/**
 * `createHttpServer`: the HTTP transport as a `ServerTransport` on its own
 * `node:http` server, for `createMonitor({ transports })` (and the
 * conformance suite). It tracks its sockets, so `close()` also ends idle
 * keep-alive connections and really frees the port.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { HeartbeatError } from '@hb/core'
import type { ServerTransport } from '@hb/core'
import type { TransportAddress } from '@hb/core/adapter'
import { handleNodeRequest } from './node-request.js'

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** Address to listen on. Default `0.0.0.0`; `::` for IPv6. */
  host?: string
  /** Port; `0` picks a free one (read it from `address()`). */
  port: number
  /** Serve only this path (other paths: 404). Default: every path. */
  path?: string
  /** Told about server errors after listening (e.g. EMFILE on accept); they never crash the process. Must not throw. */
  onError?: (error: HeartbeatError) => void
}

/** An HTTP `ServerTransport`. */
export interface HttpServerTransport extends ServerTransport {
  readonly name: 'http'
  readonly kind: 'request'
}

function configError(message: string): HeartbeatError {
  return new HeartbeatError('HB_ERR_CONFIG', message)
}

/** The host part of a URL for a bound address: loopback for a wildcard bind, brackets for IPv6. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

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
  const host = options.host ?? '0.0.0.0'
  const { port, path } = options
  if (typeof host !== 'string' || host === '') throw configError(`host must be a non-empty string, got ${String(host)}`)
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw configError(`port must be an integer from 0 to 65535, got ${String(port)}`)
  }
  const onError = options.onError
  if (onError !== undefined && typeof onError !== 'function') throw configError('onError must be a function')
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/') || path.includes('?'))) {
    throw configError(`path must start with "/" and have no query, got ${String(path)}`)
  }

  let state: 'idle' | 'starting' | 'listening' | 'closed' = 'idle'
  let server: Server | undefined
  let bound: TransportAddress | null = null
  let abortStart: ((error: HeartbeatError) => void) | undefined
  // Settles when the current listen() attempt has bound or failed, whoever gave up on it.
  let listenDone: Promise<void> = Promise.resolve()
  let closing: Promise<void> | undefined
  const sockets = new Set<Socket>()

  function stop(current: Server): Promise<void> {
    return new Promise((resolve) => {
      // close() stops accepting and resolves once every connection is gone; destroying
      // them (idle keep-alive ones included) is what makes that happen now.
      current.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
  }

  const transport: HttpServerTransport = {
    name: 'http',
    kind: 'request',

    start(handler, startOptions) {
      if (state === 'closed') return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'http server is closed'))
      if (state !== 'idle') return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', 'http server already started'))
      state = 'starting'
      const requestOptions = { path, maxBodyBytes: startOptions.maxFrameBytes }
      const current = createServer((req, res) => handleNodeRequest(handler, req, res, requestOptions))
      server = current
      current.on('connection', (socket: Socket) => {
        if (state === 'closed') return void socket.destroy()
        sockets.add(socket)
        socket.once('close', () => sockets.delete(socket))
      })
      let markListenDone = (): void => {}
      listenDone = new Promise((resolve) => (markListenDone = resolve))
      return new Promise<void>((resolve, reject) => {
        const settle = (error: HeartbeatError | undefined): void => {
          current.off('error', onListenError)
          abortStart = undefined
          if (error === undefined) return resolve()
          if (state === 'starting') {
            state = 'idle'
            server = undefined
          }
          reject(error)
        }
        const onListenError = (error: Error): void => {
          markListenDone()
          settle(new HeartbeatError('HB_ERR_TRANSPORT', `cannot listen on ${host}:${port}`, { cause: error }))
        }
        abortStart = settle
        current.once('error', onListenError)
        current.listen({ host, port, exclusive: true }, () => {
          markListenDone()
          // close() ran while we were binding: it waits for listenDone and releases the port.
          if (abortStart !== settle) return
          const address = current.address()
          if (address === null || typeof address === 'string') return settle(new HeartbeatError('HB_ERR_TRANSPORT', 'http server has no address'))
          bound = {
            host: address.address,
            port: address.port,
            family: address.family,
            url: `http://${urlHost(address.address)}:${address.port}${path ?? '/'}`,
          }
          state = 'listening'
          current.on('error', (error) => {
            try {
              onError?.(new HeartbeatError('HB_ERR_TRANSPORT', 'http server error', { cause: error }))
            } catch {
              // A throwing listener must not crash the server.
            }
          })
          settle(undefined)
        })
      })
    },

    address() {
      return state === 'listening' ? bound : null
    },

    close() {
      closing ??= (async () => {
        state = 'closed'
        bound = null
        const current = server
        server = undefined
        abortStart?.(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'http server closed while starting'))
        if (current === undefined) return
        await listenDone
        await stop(current)
      })()
      return closing
    },
  }
  return transport
}
