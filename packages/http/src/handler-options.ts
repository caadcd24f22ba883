/**
 * Options shared by the hb request handlers (Node and fetch), validated once
 * when a handler is created.
 */
import { DEFAULT_MAX_FRAME_BYTES } from '@hb/core/protocol'
import { checkOptionNames, checkPositiveInteger, configError } from '@hb/core/adapter'
import type { ServerTransportHandler } from '@hb/core/adapter'

/** Options of `createHttpHandler` and `createFetchHandler`. */
export interface HttpHandlerOptions {
  /**
   * Serve only this path (for example `/hb`); the query string is ignored.
   * Other paths go to `next()` where there is one, else 404. Default: every
   * path (let your router decide). Under Express `app.use('/hb', …)`, the path
   * the handler sees is relative to the mount point.
   */
  path?: string
  /**
   * Largest body read, in bytes. A `Content-Length` over it is refused before
   * reading; a body without one is cut at it. Either way: 413 and the
   * connection closed. Default 2048 (the core's default `maxFrameBytes`);
   * keep it equal to the monitor's `maxFrameBytes`.
   */
  maxBodyBytes?: number
}

/** Resolved options. */
export interface ResolvedHandlerOptions {
  readonly path: string | undefined
  readonly maxBodyBytes: number
}

/** Every option's name of `HttpHandlerOptions` (the compiler keeps it in step). */
export const HANDLER_OPTIONS = { path: true, maxBodyBytes: true } as const satisfies Record<keyof HttpHandlerOptions, true>

/**
 * Validates and fills in defaults; `what` and `known` name the handler and its
 * options (the fetch handler has one more). @throws HeartbeatError `HB_ERR_CONFIG`.
 */
export function resolveHandlerOptions(
  options: HttpHandlerOptions | undefined,
  what = 'createHttpHandler',
  known: Readonly<Record<string, true>> = HANDLER_OPTIONS,
): ResolvedHandlerOptions {
  if (options !== undefined) {
    if (typeof options !== 'object' || options === null) throw configError(`${what}: options must be an object`)
    checkOptionNames(what, options, known)
  }
  return {
    path: checkPath(options?.path),
    maxBodyBytes: checkPositiveInteger('maxBodyBytes', options?.maxBodyBytes, DEFAULT_MAX_FRAME_BYTES),
  }
}

/** @throws HeartbeatError `HB_ERR_CONFIG` unless `undefined` or a path starting with `/`, without a query. */
export function checkPath(path: unknown): string | undefined {
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/') || path.includes('?'))) {
    throw configError(`path must start with "/" and have no query, got ${String(path)}`)
  }
  return path
}

/** The part of a monitor the handlers use: mounting a transport that is not in its `transports`. */
export interface AttachableMonitor {
  attach(transport: { name: string; kind: 'request' }): ServerTransportHandler
}
