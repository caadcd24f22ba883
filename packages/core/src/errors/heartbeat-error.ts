/**
 * The one error class of hb. Every error hb throws or rejects with is a
 * `HeartbeatError` with a stable, documented `code` (API: never renamed).
 */

/**
 * Stable error codes; every one is raised somewhere in hb. A frame that fails its MAC, its freshness or its sequence is not an
 * error: it is rejected and counted, with a lower-case reason (`RejectReason`).
 */
export type HeartbeatErrorCode =
  /** An option is invalid (thrown by factories, at creation). */
  | 'HB_ERR_CONFIG'
  /** A key function has no key for the peer a beater signs as. */
  | 'HB_ERR_UNKNOWN_KEY'
  /** A frame over its limit reached a place that cannot reject it quietly (a client's framing). */
  | 'HB_ERR_FRAME_TOO_LARGE'
  /** Fields that cannot be encoded, or framing a client cannot follow. */
  | 'HB_ERR_MALFORMED'
  /** A transport is closed, or not connected. */
  | 'HB_ERR_TRANSPORT_CLOSED'
  /** A socket operation failed (the socket error is the `cause`). */
  | 'HB_ERR_TRANSPORT'
  /** A monitor or beater was used after `close()` / `stop()`. */
  | 'HB_ERR_CLOSED'
  /** A connect did not complete within `connectTimeoutMs`. */
  | 'HB_ERR_TIMEOUT'
  /** An event iterator's buffer overflowed (`overflow: 'error'`). */
  | 'HB_ERR_OVERFLOW'

// Symbol.for so that two copies of @hb/core (duplicate installs, ESM + CJS) still
// recognise each other's errors, where `instanceof` would fail.
const marker = Symbol.for('@hb/core/HeartbeatError')

export class HeartbeatError extends Error {
  readonly code: HeartbeatErrorCode
  readonly [marker] = true

  constructor(code: HeartbeatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HeartbeatError'
    this.code = code
  }

  /** True for any `HeartbeatError`, from this copy of hb or another. */
  static isInstance(value: unknown): value is HeartbeatError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
  }
}

/** Shorthand for a configuration error, thrown synchronously by factories. */
export function configError(message: string): HeartbeatError {
  return new HeartbeatError('HB_ERR_CONFIG', message)
}
