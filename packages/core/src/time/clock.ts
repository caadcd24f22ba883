/**
 * The only place in hb that touches real time. Everything else receives a
 * `Clock` and can be driven by `createFakeClock()` from `@hb/core/testing`.
 */

/** An opaque timer handle returned by `Clock.setTimeout`. */
export type TimerHandle = unknown

export interface Clock {
  /** Monotonic milliseconds (never goes back; unrelated to the calendar). Used for every deadline. */
  now(): number
  /** Wall-clock Unix milliseconds. Used only inside frames, for freshness (replay skew window). */
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
    return setTimeout(callback, Math.max(0, delayMs))
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}
