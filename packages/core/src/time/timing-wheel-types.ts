/**
 * The public shape of the timing wheel (`timing-wheel.ts` implements it):
 * its options and the operations a monitor uses on every beat.
 */
import type { Clock } from './clock.js'

/** Options of `createTimingWheel`. */
export interface TimingWheelOptions {
  clock: Clock
  /** Granularity. An entry fires no earlier than its deadline and (event loop not blocked) at most one tick after it. Default 100. */
  tickMs?: number
  /** Number of slots, rounded up to a power of two (at most 2^24). Default 1024. Deadlines beyond slots*tickMs still work (they wait extra revolutions). */
  slots?: number
  /**
   * Most expirations delivered per timer callback; the rest continue on a 0 ms
   * clock timer, so a mass expiry cannot stall the event loop. Default 10_000.
   * Entries a callback only moves on (re-armed to a later deadline since they
   * were placed) count against it too.
   */
  maxBatch?: number
  /**
   * Called once per expired entry, after the entry was disarmed (so the
   * callback may re-arm it, or arm/cancel others). `lagMs` is how late the
   * clock timer that began this run of expirations ran versus the time it was
   * due (0 when on time); its 0 ms continuation chunks report the same lag.
   *
   * A throw does not stop the wheel: the other expirations are still delivered,
   * and the first error of each clock callback is rethrown from `queueMicrotask`,
   * an uncaught exception as from a plain timer.
   */
  onExpire(entry: number, lagMs: number): void
}

/**
 * Deadlines for integer entries on one clock timer. Create with `createTimingWheel`.
 * Entries due in the same tick expire in no particular order; after a block of
 * more than one revolution (slots × tickMs), the missed ticks are swept slot by
 * slot, so their expirations are not in deadline order either.
 */
export interface TimingWheel {
  /**
   * Arms (or re-arms, moving it) `entry` at an absolute `clock.now()`-based
   * deadline in ms. `entry` is an integer 0 <= entry < 2^31; storage grows by
   * doubling as needed. O(1).
   *
   * A deadline that has already passed fires at the wheel's next processing,
   * no later than the next tick boundary. An entry that `onExpire` re-arms
   * into the past fires after the current run of expirations, never within
   * it: a callback that keeps doing so fires once per tick, not in a loop.
   *
   * Throws `HB_ERR_CONFIG` for a bad entry or a non-finite deadline, and
   * `HB_ERR_CLOSED` after `close()`.
   */
  arm(entry: number, deadlineMs: number): void
  /** Disarms; returns whether it was armed. O(1). */
  cancel(entry: number): boolean
  isArmed(entry: number): boolean
  /**
   * When an armed entry is due: its deadline rounded up to the wheel's tick
   * (`tickMs × ceil(deadline / tickMs)`, the earliest time it can fire), or
   * NaN when it is not armed. The wheel keeps ticks, not the exact deadline.
   */
  deadlineOf(entry: number): number
  /** Number of armed entries. */
  readonly size: number
  /** Cancels every entry and the clock timer. Idempotent. `arm()` after close throws `HB_ERR_CLOSED`. */
  close(): void
}
