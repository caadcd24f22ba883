/**
 * `createFetchHandler`: hb beats as a `(Request) => Promise<Response>`
 * function, for fetch-style servers.
 */
import { HeartbeatError } from '@hb/core'
import type { AttachableMonitor, HttpHandlerOptions } from './handler-options.js'
import { HANDLER_OPTIONS, resolveHandlerOptions } from './handler-options.js'
import { handleFetchRequest } from './fetch-request.js'

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions extends HttpHandlerOptions {
  /**
   * The client's address for `peer.remoteAddress` and `rejected` events; the
   * fetch API does not carry one, each runtime has its own (Deno's `info.remoteAddr`,
   * Bun's `server.requestIP`). Default: `'unknown'`. Only trust a forwarding
   * header if your own proxy sets it.
   */
  remoteAddress?: (request: Request) => string | undefined
}

/** A fetch-API request handler. */
export type FetchHandler = (request: Request) => Promise<Response>

/** Every option's name (the compiler keeps it in step with `FetchHandlerOptions`). */
const FETCH_HANDLER_OPTIONS = { ...HANDLER_OPTIONS, remoteAddress: true } as const satisfies Record<keyof FetchHandlerOptions, true>

/**
 * A `(request) => Promise<Response>` handler with the behaviour, status codes
 * and limits of {@link createHttpHandler}. With `path`, other paths get 404
 * (there is no `next` in the fetch API: route before calling it instead).
 *
 * ```ts
 * const handle = createFetchHandler(monitor, { path: '/hb' })
 * Deno.serve((request) => handle(request))
 * ```
 * Create it once, at startup: each call attaches one more transport to the monitor (at most 255).
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createFetchHandler(monitor: AttachableMonitor, options?: FetchHandlerOptions): FetchHandler {
  const resolved = resolveHandlerOptions(options, 'createFetchHandler', FETCH_HANDLER_OPTIONS)
  const addressOf = options?.remoteAddress
  if (addressOf !== undefined && typeof addressOf !== 'function') {
    throw new HeartbeatError('HB_ERR_CONFIG', 'remoteAddress must be a function (request) => string')
  }
  const handler = monitor.attach({ name: 'http', kind: 'request' })
  return (request) => {
    let remoteAddress = 'unknown'
    try {
      remoteAddress = addressOf?.(request) ?? 'unknown'
    } catch {
      // A failing address lookup must not fail the beat.
    }
    return handleFetchRequest(handler, request, resolved, remoteAddress)
  }
}
