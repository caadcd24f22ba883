/**
 * Freshness and replay (PROTOCOL §6): which signed, verified frames a receiver
 * may accept. Pure logic, no crypto and no clock: callers pass the wall time.
 *
 * Both rules are written so that a NaN anywhere fails closed (stale or replay),
 * never open.
 */
import { configError } from '../errors/heartbeat-error.js'

/** `ok`: accept the frame; `stale` and `replay` are the reject reasons of the same names. */
export type FreshnessVerdict = 'ok' | 'stale' | 'replay'

/**
 * The rule of PROTOCOL §6, in order: `stale` if `|timestampMs − wallNowMs| >
 * skewMs` (exactly `skewMs` apart is still fresh); `replay` if `last` is given
 * and `(incarnation, seq)` is not lexicographically greater than it (an equal
 * pair is a replay); `ok` otherwise, including first contact (`last` undefined).
 */
export function checkFreshness(
  last: { incarnation: number; seq: number } | undefined,
  frame: { incarnation: number; seq: number; timestampMs: number },
  wallNowMs: number,
  skewMs: number,
): FreshnessVerdict {
  if (!(Math.abs(frame.timestampMs - wallNowMs) <= skewMs)) return 'stale'
  if (last !== undefined && !isAfter(frame.incarnation, frame.seq, last.incarnation, last.seq)) return 'replay'
  return 'ok'
}

/** (incarnation, seq) > (lastIncarnation, lastSeq), lexicographically; false if any is NaN. */
function isAfter(incarnation: number, seq: number, lastIncarnation: number, lastSeq: number): boolean {
  return incarnation > lastIncarnation || (incarnation === lastIncarnation && seq > lastSeq)
}

/**
 * {@link checkFreshness} over the last accepted pair of every peer, stored by a
 * small integer slot (the monitor's peer slot) in two typed arrays: 12 bytes a
 * peer and no object each, so a million peers cost 12 MB.
 *
 * The values are trusted to be in the protocol's ranges (the codec guarantees
 * them): slot a non-negative integer, incarnation 0 … 2⁴⁸−1, seq 0 … 2³²−1.
 */
export interface ReplayWindow {
  /**
   * The verdict for a frame about the peer in `slot`, against the pair last
   * accepted there (none: first contact). Never changes anything.
   */
  check(slot: number, incarnation: number, seq: number, timestampMs: number, wallNowMs: number): FreshnessVerdict
  /**
   * Records `(incarnation, seq)` as the peer's last accepted pair, growing the
   * storage if `slot` is past it. Call it after `check` said `ok` (and the MAC
   * verified). It never moves a pair backwards: an older pair is ignored, so a
   * caller's mistake cannot reopen a replay.
   * @throws HeartbeatError `HB_ERR_CONFIG` if a value is out of its range.
   */
  accept(slot: number, incarnation: number, seq: number): void
  /**
   * Drops the slot's pair; the next frame there is a first contact. Per §6, only
   * once the peer is dead or left and `skewMs` has passed since its last accepted
   * frame. Slots never used are ignored.
   */
  forget(slot: number): void
  /** True if the slot holds a pair. */
  has(slot: number): boolean
  /** The slot's pair, or `undefined` when it holds none. Allocates: for display, not the hot path. */
  markOf(slot: number): { incarnation: number; seq: number } | undefined
  /** The skew window, in milliseconds. */
  readonly skewMs: number
}

const maxSlot = 0x7fff_ffff
const maxIncarnation = 2 ** 48 - 1
const maxSeq = 0xffff_ffff
const defaultCapacity = 1024

/**
 * A replay window. `initialCapacity` (default 1024) is the number of slots
 * allocated up front; the storage doubles as higher slots are accepted.
 * @throws HeartbeatError `HB_ERR_CONFIG` unless `skewMs` is finite and ≥ 0 and
 * `initialCapacity` a non-negative integer.
 */
export function createReplayWindow(options: { skewMs: number; initialCapacity?: number }): ReplayWindow {
  const skewMs = options?.skewMs
  if (typeof skewMs !== 'number' || !Number.isFinite(skewMs) || skewMs < 0) {
    throw configError(`skewMs must be a finite number ≥ 0, got ${String(skewMs)}`)
  }
  const initialCapacity = options.initialCapacity ?? defaultCapacity
  if (!Number.isInteger(initialCapacity) || initialCapacity < 0 || initialCapacity > maxSlot) {
    throw configError(`initialCapacity must be an integer 0 … ${maxSlot}, got ${String(initialCapacity)}`)
  }

  // NaN marks an empty slot: no incarnation is NaN, and a NaN compares false, so
  // reading one can only ever mean "no pair".
  let incarnations = new Float64Array(initialCapacity).fill(Number.NaN)
  let seqs = new Uint32Array(initialCapacity)

  function grow(minLength: number): void {
    let capacity = Math.max(incarnations.length * 2, 16)
    while (capacity < minLength) capacity *= 2
    const nextIncarnations = new Float64Array(capacity)
    nextIncarnations.set(incarnations)
    nextIncarnations.fill(Number.NaN, incarnations.length)
    const nextSeqs = new Uint32Array(capacity)
    nextSeqs.set(seqs)
    incarnations = nextIncarnations
    seqs = nextSeqs
  }

  return {
    skewMs,
    check(slot, incarnation, seq, timestampMs, wallNowMs) {
      if (!(Math.abs(timestampMs - wallNowMs) <= skewMs)) return 'stale'
      // Out of range (never accepted) reads as undefined, i.e. first contact.
      const lastIncarnation = incarnations[slot]
      if (lastIncarnation === undefined || Number.isNaN(lastIncarnation)) return 'ok'
      return isAfter(incarnation, seq, lastIncarnation, seqs[slot] ?? 0) ? 'ok' : 'replay'
    },
    accept(slot, incarnation, seq) {
      if (!Number.isInteger(slot) || slot < 0 || slot > maxSlot) {
        throw configError(`replay window slot must be an integer 0 … ${maxSlot}, got ${String(slot)}`)
      }
      if (!Number.isInteger(incarnation) || incarnation < 0 || incarnation > maxIncarnation) {
        throw configError(`incarnation must be an integer 0 … 2^48−1, got ${String(incarnation)}`)
      }
      if (!Number.isInteger(seq) || seq < 0 || seq > maxSeq) {
        throw configError(`seq must be an integer 0 … 2^32−1, got ${String(seq)}`)
      }
      if (slot >= incarnations.length) grow(slot + 1)
      const lastIncarnation = incarnations[slot] ?? Number.NaN
      if (Number.isNaN(lastIncarnation) || isAfter(incarnation, seq, lastIncarnation, seqs[slot] ?? 0)) {
        incarnations[slot] = incarnation
        seqs[slot] = seq
      }
    },
    forget(slot) {
      if (slot >= 0 && slot < incarnations.length && Number.isInteger(slot)) {
        incarnations[slot] = Number.NaN
        seqs[slot] = 0
      }
    },
    has(slot) {
      const incarnation = incarnations[slot]
      return incarnation !== undefined && !Number.isNaN(incarnation)
    },
    markOf(slot) {
      const incarnation = incarnations[slot]
      if (incarnation === undefined || Number.isNaN(incarnation)) return undefined
      return { incarnation, seq: seqs[slot] ?? 0 }
    },
  }
}
