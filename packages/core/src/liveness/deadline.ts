/**
 * What a peer's deadline means when the timing wheel fires it: the decision
 * the monitor used to make inline, as a pure function of the peer's state and
 * the times involved, so it can be read and table-tested on its own (as
 * memberlist pulls its suspicion timeout out of the wiring).
 *
 * The local-health guard is part of it: when the wheel's timer ran more than
 * `loopLagToleranceMs` late, the monitor's event loop was blocked and beats
 * may be waiting unread in socket buffers, so a live peer gets the deaf time
 * back (at most one full timeout) instead of being convicted for the
 * monitor's own stall.
 */
import type { PeerState } from './transition.js'

/** What the monitor does with a fired deadline. */
export type DeadlineDecision =
  /** Local-health guard: postpone the deadline to `rearmAtMs` (the peer keeps its state). */
  | { readonly action: 'guard'; readonly rearmAtMs: number }
  /** The suspect deadline: the peer turns suspect, and its dead deadline `deadAtMs` is armed. */
  | { readonly action: 'suspect'; readonly deadAtMs: number }
  /** The dead deadline: the peer goes offline (or a rising dead peer's count restarts). */
  | { readonly action: 'dead' }
  /** A dead or left peer's forget deadline: drop it from memory. */
  | { readonly action: 'forget' }
  /** Nothing applies (a free slot). */
  | { readonly action: 'none' }

/** Everything the decision depends on. Times are monotonic ms (`clock.now()`). */
export interface DeadlineInput {
  readonly state: PeerState | 'new'
  /** A dead peer that has sent some, but not yet `riseBeats`, beats. */
  readonly rising: boolean
  readonly nowMs: number
  /** How late the wheel's timer ran (0 when on time). */
  readonly lagMs: number
  readonly loopLagToleranceMs: number
  /** The peer's last accepted beat. */
  readonly lastBeatMs: number
  /** The detector's dead deadline after `lastBeatMs`. */
  readonly deadAtMs: number
}

const DEAD: DeadlineDecision = Object.freeze({ action: 'dead' })
const FORGET: DeadlineDecision = Object.freeze({ action: 'forget' })
const NONE: DeadlineDecision = Object.freeze({ action: 'none' })

/** Decides what a fired deadline means (see the file comment). Pure; allocates only for `guard` and `suspect`. */
export function decideDeadline(input: DeadlineInput): DeadlineDecision {
  const { state, rising, nowMs, lagMs } = input
  const live = state === 'alive' || state === 'suspect' || rising
  if (live && lagMs > input.loopLagToleranceMs) {
    // Give back the time the monitor could not hear, capped at one full timeout.
    return { action: 'guard', rearmAtMs: nowMs + Math.min(lagMs, input.deadAtMs - input.lastBeatMs) }
  }
  if (state === 'alive') return nowMs < input.deadAtMs ? { action: 'suspect', deadAtMs: input.deadAtMs } : DEAD
  if (state === 'suspect' || rising) return DEAD
  if (state === 'dead' || state === 'left') return FORGET
  return NONE
}
