/**
 * When in each interval a beater beats: the delay to its next beat.
 *
 * `spread` draws every interval from `intervalMs × [1 − jitter/2, 1 + jitter/2]`,
 * so the beats of a fleet arrive evenly over time. Datagram and request
 * transports use it: datagrams sent together can overflow a receive buffer.
 *
 * `slot` beats on a grid of the monitor's wall clock: the interval is cut into
 * slots of about `SLOT_MS`, each beater takes one at random, and beats when
 * `monitor wall time ≡ slot start (mod intervalMs)`. The fleet is still spread
 * over the interval, slot by slot, but the beats of one slot reach the server
 * together, so a connection server reads them in batches, one wakeup for many
 * sockets, rather than waking once or twice per beat. That is most of a
 * connection server's per-beat cost at 10k connections (BENCHMARKS.md,
 * ws-recipe). TCP and WebSocket use it: the kernel queues a burst in each
 * connection's buffer, nothing is lost.
 *
 * The monitor's clock is this machine's plus the offset learned from acks
 * (`clock-offset.ts`), so beaters on different machines share the grid to
 * within their offset's error. Either way no gap between two frames exceeds
 * `intervalMs × (1 + jitter/2)`, the bound the `server-lost` timing is written
 * for (`ack-schedule.ts`): a slot closer than `intervalMs × jitter/2` is skipped
 * for the next one, and a slot is at most one interval away.
 */

/** How a beater places its beats in time; see the file comment. */
export type BeatPhase = 'slot' | 'spread'

/** The width of a slot, about: the monitor's default tick. */
export const SLOT_MS = 100

export interface PhaseInput {
  readonly phase: BeatPhase
  readonly intervalMs: number
  readonly jitter: number
  /** A draw from [0, 1): `spread` uses a fresh one per interval, `slot` the same one for the beater's life (its slot). */
  readonly draw: number
  /** The monitor's wall clock now (ms since the epoch): this machine's plus the learned offset. */
  readonly monitorWallMs: number
}

/** Milliseconds from now to the next beat. Pure. */
export function nextBeatDelay({ phase, intervalMs, jitter, draw, monitorWallMs }: PhaseInput): number {
  if (phase === 'spread') return intervalMs * (1 - jitter / 2 + draw * jitter)
  const slots = Math.max(1, Math.floor(intervalMs / SLOT_MS))
  const slotStart = (Math.floor(draw * slots) * intervalMs) / slots
  // In [0, intervalMs): how far the slot's next start is.
  let delay = (slotStart - (monitorWallMs % intervalMs) + intervalMs) % intervalMs
  // Too close to the frame just sent (or a clock that stepped): the slot after, within the same bound as `spread`.
  if (delay <= (intervalMs * jitter) / 2) delay += intervalMs
  return delay
}
