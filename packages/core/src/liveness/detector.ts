/**
 * The failure-detector seam: how a peer's beat history becomes the two
 * absolute deadlines (monotonic ms) the monitor puts on its timing wheel.
 *
 * A detector holds no per-peer objects. The monitor owns one shared
 * `Float64Array` and gives each peer `stateSlots` consecutive numbers at
 * `offset`; a detector reads and writes only `state[offset]` to
 * `state[offset + stateSlots - 1]`. This is what lets one monitor track a
 * million peers without a million objects.
 *
 * Every method is pure arithmetic on its arguments and those slots: no
 * timers, no clock reads, O(1). The monitor supplies the times.
 *
 * Call order for one peer, as the monitor does it:
 * - first accepted beat (or first after the peer was forgotten, or after it
 *   came back from dead or left, so an outage is not taken for an interval):
 *   `reset`;
 * - every later accepted beat: `observe`, with the previous beat's time;
 * - after either: `suspectAt` and `deadAt` from this beat's time, which the
 *   monitor arms on the wheel (the state machine's `arm` effect).
 */

export interface Detector {
  /** Which detector this is: `'fixed-timeout'` or `'phi-accrual'` (or a user's own). */
  readonly kind: string
  /** How many `Float64Array` numbers each peer needs (0 for a stateless detector). */
  readonly stateSlots: number
  /**
   * First beat of a peer (or first after being forgotten). Overwrites the
   * peer's slots. `intervalHintMs`: the beat interval a hello announced, if
   * any; a detector may use it as its first estimate.
   */
  reset(state: Float64Array, offset: number, nowMs: number, intervalHintMs: number | undefined): void
  /** An accepted beat at `nowMs`; the previous accepted beat was at `lastBeatMs`. Updates the slots in place, O(1). */
  observe(state: Float64Array, offset: number, lastBeatMs: number, nowMs: number): void
  /**
   * Absolute time the peer turns suspect if no beat comes after
   * `lastBeatMs`; `Infinity` for never. When finite, never after `deadAt`.
   */
  suspectAt(state: Float64Array, offset: number, lastBeatMs: number): number
  /** Absolute time the peer is dead if no beat comes after `lastBeatMs`. Always finite. */
  deadAt(state: Float64Array, offset: number, lastBeatMs: number): number
  /** Suspicion level at `nowMs`, for display: φ for phi accrual, elapsed / timeoutMs for a fixed timeout. */
  suspicion(state: Float64Array, offset: number, lastBeatMs: number, nowMs: number): number
}

const methods = ['reset', 'observe', 'suspectAt', 'deadAt', 'suspicion'] as const

/**
 * True for anything shaped like a `Detector` (a user's own detector
 * included), so an options parser can tell a detector from a plain
 * options object.
 */
export function isDetector(value: unknown): value is Detector {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  if (typeof candidate.kind !== 'string') return false
  const slots = candidate.stateSlots
  if (typeof slots !== 'number' || !Number.isSafeInteger(slots) || slots < 0) return false
  return methods.every((name) => typeof candidate[name] === 'function')
}

/**
 * The timeout a detector stands for: how long a peer it has just met (no beat
 * history yet) may stay silent before it is dead. For `fixedTimeout` that is
 * its `timeoutMs`; for `phiAccrual`, the dead deadline its first estimate
 * gives. The monitor derives its tick from it and announces it in every ack,
 * so the detector is the one source of the timeout.
 */
export function nominalTimeoutMs(detector: Detector): number {
  const state = new Float64Array(detector.stateSlots)
  detector.reset(state, 0, 0, undefined)
  return detector.deadAt(state, 0, 0)
}
