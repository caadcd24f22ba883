/**
 * When in each interval a beater beats: the delay to its next beat.
 *
 * `spread` draws every interval from `intervalMs × [1 − jitter/2, 1 + jitter/2]`,
 * so the beats of a fleet arrive evenly over time. Datagram and request
 * transports use it: datagrams sent together can overflow a receive buffer.
 *
 * `slot` keeps every interval within the same range, and uses that freedom to
 * steer: the interval is cut into slots of about `SLOT_MS`, each beater takes
 * one at random, and each interval is lengthened or shortened (by at most
 * `intervalMs × jitter/2`) toward the moment when `monitor wall time ≡ slot
 * start (mod intervalMs)`. Once there (within `1/jitter` beats: 10 at the
 * default jitter), every interval is `intervalMs` and the beater stays on its
 * slot. The fleet is still spread over the interval, slot by slot, but the
 * beats of one slot reach the server together, so a connection server reads
 * them in batches, one wakeup for many sockets, rather than waking once or
 * twice per beat: most of a connection server's cost per beat at 10k
 * connections (BENCHMARKS.md, ws-recipe). TCP and WebSocket use it: the kernel
 * queues a burst in each connection's buffer, nothing is lost.
 *
 * Steering rather than jumping keeps both phases' gaps in one range, so every
 * rule written for intervals holds unchanged: a beat never follows a `hello`
 * sooner than `intervalMs × (1 − jitter/2)` (an ack on its way is not taken for
 * a missed one, `ack-schedule.ts`), never two beats in a row after a clock
 * steps back, and never a gap over `intervalMs × (1 + jitter/2)` (the
 * `server-lost` bound). With `jitter: 0` there is no room to steer: the beater
 * keeps the phase it started with. Intervals under two slots are spread (a
 * single slot would put every beater on one instant), and so is anything
 * measured on a clock that is not a number.
 *
 * The monitor's clock is this machine's plus the offset learned from acks
 * (`clock-offset.ts`; none in one-way mode), so beaters on different machines
 * share the grid to within their offset's error.
 */

/** How a beater places its beats in time; see the file comment. */
export type BeatPhase = 'slot' | 'spread'

/** The width of a slot, about: the monitor's default tick. */
export const SLOT_MS = 100

export interface PhaseInput {
  readonly phase: BeatPhase
  readonly intervalMs: number
  readonly jitter: number
  /** A fresh draw from [0, 1), for a spread interval. */
  readonly draw: number
  /** The beater's own draw from [0, 1), the same for its life: its slot. */
  readonly slotDraw: number
  /** The monitor's wall clock now (ms since the epoch): this machine's plus the learned offset. */
  readonly monitorWallMs: number
}

/** Milliseconds from now to the next beat, within `intervalMs × [1 − jitter/2, 1 + jitter/2]`. Pure. */
export function nextBeatDelay({ phase, intervalMs, jitter, draw, slotDraw, monitorWallMs }: PhaseInput): number {
  const most = (intervalMs * jitter) / 2
  const slots = Math.floor(intervalMs / SLOT_MS)
  if (phase === 'spread' || slots < 2 || !Number.isFinite(monitorWallMs)) return intervalMs - most + draw * 2 * most
  const slotStart = (Math.floor(slotDraw * slots) * intervalMs) / slots
  // How much later than one interval from now the slot comes, in (−intervalMs/2, intervalMs/2].
  let error = (((slotStart - monitorWallMs) % intervalMs) + intervalMs) % intervalMs
  if (error > intervalMs / 2) error -= intervalMs
  return intervalMs + Math.min(most, Math.max(-most, error))
}
