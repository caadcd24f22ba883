/**
 * When a beater asks for an ack, and when it decides its server is lost
 * (PROTOCOL.md §6.3): a pure function of a small state, table-tested apart
 * from the timers, as memberlist's suspicion timeout is.
 *
 * A beater asks for an ack on every `ackEvery`-th beat, and on every beat
 * while a requested ack is overdue (not answered by the next beat). The
 * server is lost once `missedAcks` requested acks in a row went unanswered.
 * A `hello` is always acked, so it counts as a request.
 *
 * Bound: if the server dies right after answering a request, the next
 * request leaves `ackEvery` beats later, and `server-lost` fires at the beat
 * that finds the `missedAcks`-th request unanswered: `ackEvery + missedAcks`
 * beats after the last answered request, that is at most
 * `(ackEvery + missedAcks) × intervalMs × (1 + jitter / 2)` after the server died.
 */

/** The schedule's state between beats. */
export interface AckScheduleState {
  /** A requested ack is outstanding. */
  readonly awaiting: boolean
  /** Requested acks in a row that went unanswered. */
  readonly missed: number
  /** Beats sent without asking since the last request. */
  readonly sinceRequest: number
}

/** What to do with the beat that is due now. */
export interface BeatPlan {
  readonly state: AckScheduleState
  /** Set the ack-requested flag on this beat. */
  readonly requestAck: boolean
  /** `missedAcks` requested acks in a row are unanswered: the server is lost. */
  readonly lost: boolean
}

/** The state right after a `hello` was sent (a hello is always acked: a request). */
export const afterHello: AckScheduleState = Object.freeze({ awaiting: true, missed: 0, sinceRequest: 0 })

/** Plans the beat that is due now. Pure. */
export function planBeat(state: AckScheduleState, ackEvery: number, missedAcks: number): BeatPlan {
  const missed = state.awaiting ? state.missed + 1 : state.missed
  const requestAck = missed > 0 || state.sinceRequest + 1 >= ackEvery
  return {
    state: { awaiting: requestAck || state.awaiting, missed, sinceRequest: requestAck ? 0 : state.sinceRequest + 1 },
    requestAck,
    lost: missed >= missedAcks,
  }
}

/** An ack arrived for a frame that asked for one: nothing is overdue any more. Pure. */
export function onAcked(state: AckScheduleState): AckScheduleState {
  return { awaiting: false, missed: 0, sinceRequest: state.sinceRequest }
}
