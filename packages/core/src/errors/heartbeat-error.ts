/**
 * The one error class of hb. Every error hb throws or rejects with is a
 * `HeartbeatError` with a stable, documented `code` (API: never renamed).
 */

/** Stable error codes. Lower-case reason codes of `rejected` events are separate (see `RejectReason`). */
export type HeartbeatErrorCode =
  | 'HB_ERR_CONFIG'
  | 'HB_ERR_BAD_SIGNATURE'
  | 'HB_ERR_UNKNOWN_KEY'
  | 'HB_ERR_FRAME_TOO_LARGE'
  | 'HB_ERR_MALFORMED'
  | 'HB_ERR_REPLAY'
  | 'HB_ERR_STALE'
  | 'HB_ERR_TRANSPORT_CLOSED'
  | 'HB_ERR_TRANSPORT'
  | 'HB_ERR_CLOSED'
  | 'HB_ERR_ABORTED'
  | 'HB_ERR_TIMEOUT'
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
