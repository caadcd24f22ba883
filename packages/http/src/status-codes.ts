/**
 * The HTTP status of every outcome of a beat request. Stable API: clients and
 * load balancers key on these codes, and the README documents the same table.
 */
import type { RejectReason } from '@hb/core'

/**
 * Status per reject reason. Typed as a full record, so a reason added to the
 * core fails the build here until it is given a status.
 */
const statusByReason: Readonly<Record<RejectReason, number>> = {
  malformed: 400,
  unexpected: 400,
  'bad-signature': 401,
  'unknown-key': 401,
  'too-large': 413,
  replay: 409,
  stale: 409,
  'peer-limit': 429,
  pending: 503,
  flood: 429,
}

/**
 * The HTTP status for a frame the core (or the transport) rejected:
 * 400 `malformed`/`unexpected`, 401 `bad-signature`/`unknown-key`,
 * 409 `replay`/`stale`, 413 `too-large`, 429 `peer-limit`/`flood`, 503 `pending`; 400 for a reason
 * this version does not know.
 */
export function httpStatusFor(reason: RejectReason): number {
  return statusByReason[reason] ?? 400
}

/** The `error` member of a body that is not about a frame's content. */
export type RequestError = 'not-found' | 'method-not-allowed' | 'unsupported-media-type' | 'internal'
