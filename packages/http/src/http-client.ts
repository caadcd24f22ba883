/**
 * `createHttpClient`: the beater's transport over the global `fetch` (Node's
 * undici keeps connections alive between beats). One `POST` per frame; the
 * 200 response body is the server's signed ack.
 */
import { HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import { checkOptionNames, checkPositiveInteger, configError } from '@hb/core/adapter'
import type { ClientTransportHandler } from '@hb/core/adapter'
import { readLimitedBody } from './read-limited-body.js'

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** The beat endpoint, `http:` or `https:` (e.g. `createHttpServer(...).address().url`). */
  url: string | URL
  /**
   * The deadline of one request, from sending to the whole response read, in
   * ms. Default 5000 (what codeskyblue's client uses). Not the monitor's
   * `timeoutMs` (how long a silent peer stays online): a request that misses
   * it rejects, and the beater keeps beating.
   */
  requestTimeoutMs?: number
  /**
   * How frames travel: `'json'` (default: readable in any proxy log, and what
   * `curl` users send) or `'binary'` (`application/octet-stream`: less than
   * half the bytes, and ~1.3 µs less server CPU per beat in the http benchmark
   * on an AMD EPYC, BENCHMARKS.md). The monitor takes both on the same endpoint
   * and answers in kind.
   */
  encoding?: 'json' | 'binary'
  /** Extra request headers (say, for a proxy's authentication). `content-type` is set by the client. */
  headers?: Record<string, string>
  /** The `fetch` to use (an instrumented one, or one bound to an undici `Agent`). Default: the global `fetch`. */
  fetch?: typeof fetch
}

/** An HTTP `ClientTransport`. */
export interface HttpClientTransport extends ClientTransport {
  readonly name: 'http'
  readonly kind: 'request'
  readonly encoding: 'json' | 'binary'
}

/** Largest error body read (and thrown away) so the connection can be reused. */
const MAX_DISCARDED_BYTES = 4096

/** Reads at most `limit` bytes of a response body; `undefined` (stream cancelled) if there are more. */
function readLimited(response: Response, limit: number): Promise<Uint8Array | undefined> {
  return readLimitedBody(response, limit)
}

/** Every option's name (the compiler keeps it in step with `HttpClientOptions`). */
const CLIENT_OPTIONS = { url: true, encoding: true, requestTimeoutMs: true, headers: true, fetch: true } as const satisfies Record<
  keyof HttpClientOptions,
  true
>

/**
 * Creates an HTTP client transport, to pass to `createBeater({ transport })`.
 * `send()` resolves once the ack was delivered to the beater; a non-2xx status
 * rejects with `HB_ERR_TRANSPORT` naming the status (never the body); `close()`
 * aborts requests in flight.
 *
 * ```ts
 * const beater = createBeater({ id: 'job-runner-3', secret, transport: createHttpClient({ url: 'https://hb.example.com/hb' }) })
 * ```
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createHttpClient(options: HttpClientOptions): HttpClientTransport {
  if (typeof options !== 'object' || options === null) throw configError('createHttpClient needs { url }')
  let url: URL
  try {
    url = new URL(options.url)
  } catch {
    throw configError('url must be an absolute http: or https: URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError('url must be an absolute http: or https: URL')
  // Renamed: fail loudly rather than silently use the default for an old option.
  if ('timeoutMs' in options) throw configError('createHttpClient: timeoutMs is now requestTimeoutMs')
  checkOptionNames('createHttpClient', options, CLIENT_OPTIONS)
  const requestTimeoutMs = checkPositiveInteger('requestTimeoutMs', options.requestTimeoutMs, 5000)
  const fetchImpl = options.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function') throw configError('no fetch available: pass options.fetch')
  const encoding = options.encoding ?? 'json'
  if (encoding !== 'json' && encoding !== 'binary') throw configError("encoding must be 'json' or 'binary'")
  const headers: Record<string, string> = { 'content-type': encoding === 'json' ? 'application/json' : 'application/octet-stream' }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() !== 'content-type') headers[name] = value
  }
  const target = url.href

  const closer = new AbortController()
  let handler: ClientTransportHandler | undefined
  let maxFrameBytes = Infinity
  let closing: Promise<void> | undefined

  const closedError = (message = 'http client is closed'): HeartbeatError => new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', message)

  /** Any failure of a request, as the transport contract wants it. */
  function failure(error: unknown, timeout: AbortSignal): HeartbeatError {
    if (closer.signal.aborted) return closedError()
    if (HeartbeatError.isInstance(error)) return error
    if (timeout.aborted) return new HeartbeatError('HB_ERR_TRANSPORT', `http request timed out after ${requestTimeoutMs} ms`, { cause: error })
    return new HeartbeatError('HB_ERR_TRANSPORT', 'http request failed', { cause: error })
  }

  async function post(bytes: Uint8Array, deliver: ClientTransportHandler): Promise<void> {
    const timeout = AbortSignal.timeout(requestTimeoutMs)
    const signal = AbortSignal.any([closer.signal, timeout])
    try {
      const response = await fetchImpl(target, { method: 'POST', headers, body: bytes, signal, redirect: 'manual' })
      if (response.status === 200) {
        const body = await readLimited(response, maxFrameBytes)
        if (body === undefined) throw new HeartbeatError('HB_ERR_TRANSPORT', `http response larger than maxFrameBytes (${maxFrameBytes})`)
        if (closer.signal.aborted) throw closedError()
        deliver.onFrame(body)
        return
      }
      // Read a small error body so keep-alive survives; its content is never used or shown.
      // Redirects are not followed (a POST would turn into a GET): a 3xx is an error too.
      await readLimited(response, MAX_DISCARDED_BYTES)
      if (response.status >= 200 && response.status < 300) return
      throw new HeartbeatError('HB_ERR_TRANSPORT', `http server answered ${response.status}`)
    } catch (error) {
      throw failure(error, timeout)
    }
  }

  return {
    name: 'http',
    kind: 'request',
    encoding,
    connect(connectHandler, connectOptions) {
      if (closer.signal.aborted) return Promise.reject(closedError())
      handler = connectHandler
      maxFrameBytes = connectOptions.maxFrameBytes
      return Promise.resolve()
    },
    send(bytes) {
      if (closer.signal.aborted) return Promise.reject(closedError())
      if (handler === undefined) return Promise.reject(closedError('http client is not connected'))
      return post(bytes, handler)
    },
    close() {
      if (closing === undefined) {
        // Synchronously: requests in flight reject now, and nothing is delivered after this.
        handler = undefined
        closer.abort(closedError())
        closing = Promise.resolve()
      }
      return closing
    },
  }
}
