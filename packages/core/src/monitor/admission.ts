/**
 * Whether a signed, verified frame from a peer the monitor does not know is
 * accepted (PROTOCOL.md §6.2), as one pure function. A known peer's frames are
 * checked against its last accepted sequence by the replay window
 * (`signing/replay-window.ts`) on the hot path; a peer the monitor does not know
 * has no sequence to compare with, so two more rules stand in for it:
 * - **restart**: a frame stamped before this monitor started is `stale`. A
 *   frame captured before a restart cannot bring a dead peer back, and an
 *   honest beater, which stamps frames in the monitor's time (it learns the
 *   offset from acks), is not affected;
 * - **shared presence**: with a replay store (`@hb/redis`), the frame must be
 *   newer than the last sequence any monitor of the cluster accepted; while
 *   the store is still fetching it, the frame is `pending`.
 *
 * A frame refused for its time only (`stale`) is answered with a signed
 * clock-correction ack, so an honest beater with a wrong clock fixes its offset
 * and is accepted one round trip later.
 */
import type { RejectReason } from '../errors/reject-reason.js'

/** A (incarnation, seq) pair. */
export interface SequenceMark {
  readonly incarnation: number
  readonly seq: number
}

/** What a replay store knows of a peer: its mark, `null` for never seen, `'pending'` while fetching. */
export type StoredMark = SequenceMark | null | 'pending'

export interface AdmissionInput {
  readonly incarnation: number
  readonly seq: number
  readonly timestampMs: number
  readonly wallNowMs: number
  readonly skewMs: number
  /** Wall clock when this monitor was created. */
  readonly startedWallMs: number
  /** The replay store's answer, or `undefined` without a store. */
  readonly stored: StoredMark | undefined
}

export type Admission =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RejectReason & ('stale' | 'replay' | 'pending'); readonly detail: string; readonly correctClock: boolean }

const OK: Admission = Object.freeze({ ok: true })

function refuse(reason: 'stale' | 'replay' | 'pending', detail: string): Admission {
  return { ok: false, reason, detail, correctClock: reason === 'stale' }
}

/** (a, b) > (c, d) lexicographically; false if any is NaN. */
export function isAfter(incarnation: number, seq: number, mark: SequenceMark): boolean {
  return incarnation > mark.incarnation || (incarnation === mark.incarnation && seq > mark.seq)
}

/** Decides whether a verified frame from a peer the monitor does not know is admitted. Checks run in PROTOCOL.md §6's order. */
export function admitNewPeer(input: AdmissionInput): Admission {
  const { timestampMs, wallNowMs, skewMs } = input
  if (!(Math.abs(timestampMs - wallNowMs) <= skewMs)) {
    return refuse('stale', `timestamp ${timestampMs - wallNowMs > 0 ? 'ahead of' : 'behind'} the monitor's clock by more than skewMs (${skewMs})`)
  }
  if (!(timestampMs >= input.startedWallMs)) return refuse('stale', 'stamped before this monitor started, from a peer it does not know')
  const stored = input.stored
  if (stored === 'pending') return refuse('pending', "fetching the peer's last sequence from the replay store")
  if (stored !== undefined && stored !== null && !isAfter(input.incarnation, input.seq, stored)) {
    return refuse('replay', 'sequence not newer than the last accepted anywhere in the cluster')
  }
  return OK
}
