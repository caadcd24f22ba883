/**
 * The only place in hb that touches real time. Everything else receives a
 * `Clock` and can be driven by `createFakeClock()` from `@hb/core/testing`.
 */

/** An opaque timer handle returned by `Clock.setTimeout`. */
export type TimerHandle = unknown

export interface Clock {
  /** Monotonic milliseconds (never goes back; unrelated to the calendar). Used for every deadline. */
  now(): number
  /** Wall-clock Unix milliseconds: frame timestamps (freshness, the replay skew window), and a beater's slot of the monitor's clock. */
  wallNow(): number
  /** Runs `callback` once, no earlier than `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle
  /** Cancels a timer; unknown or already-fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void
}

/**
 * The real clock: `performance.now()` for deadlines, `Date.now()` for frame
 * timestamps, and the global timers. Timers are ordinary (ref'ed) timers: a
 * beater whose transport holds no socket between beats (HTTP) must still keep
 * its process alive, as a `setInterval` would.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout(callback, delayMs) {
    const delay = Math.max(0, delayMs)
    return delay > MAX_TIMER_MS ? new LongTimeout(callback, delay) : setTimeout(callback, delay)
  },
  clearTimeout(handle) {
    if (handle instanceof LongTimeout) handle.cancel()
    else clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}

/** Node's longest timer, 2^31 − 1 ms (~24.8 days): it fires a longer one after 1 ms. */
const MAX_TIMER_MS = 0x7fff_ffff

/**
 * A timer past Node's longest (a beater's `intervalMs` may be up to 2^32 − 1),
 * armed again in steps of at most that; timers never fire early, so neither
 * does the last step. The handle is this object.
 */
class LongTimeout {
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(callback: () => void, remainingMs: number) {
    this.step(callback, remainingMs)
  }

  private step(callback: () => void, remainingMs: number): void {
    const now = Math.min(remainingMs, MAX_TIMER_MS)
    this.timer = setTimeout(() => (remainingMs > now ? this.step(callback, remainingMs - now) : callback()), now)
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}
