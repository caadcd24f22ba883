/**
 * A deterministic `Clock` for tests: time moves only when the test says so,
 * and timers fire synchronously inside `advance()`. Every timer in hb goes
 * through `Clock`, so monitor and beater tests can assert exact boundaries
 * (`timeoutMs - 1` vs `timeoutMs`) without real time or `vi.useFakeTimers()`.
 */
import type { Clock, TimerHandle } from '../time/clock.js'
import { HeartbeatError, configError } from '../errors/heartbeat-error.js'

/** A `Clock` whose time is moved by hand. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer that falls due, in
   * deadline order, ties in arming order, including timers armed during the
   * advance whose deadline is <= the target. While a timer fires, `now()`
   * equals its deadline (or the stalled time, if that is later). At the end
   * `now()` equals start + `ms` (or later, if a callback called `stall()`
   * past it). Returns how many timers fired.
   *
   * If a callback throws, the advance stops there and rethrows: `now()` stays
   * at that timer's time and the remaining timers stay armed. Calling
   * `advance()` from inside a timer callback throws `HB_ERR_CONFIG`; `stall()`
   * is allowed there (it simulates a slow callback).
   */
  advance(ms: number): number
  /**
   * Moves time forward WITHOUT firing anything: simulates a blocked event
   * loop. Timers that fell due fire at the next `advance()` (`advance(0)`
   * included), late, with `now()` at the stalled time rather than at their
   * deadlines.
   */
  stall(ms: number): void
  /** How many timers are armed and not yet fired or cleared. */
  pending(): number
  /** Shifts `wallNow()` by `ms` (positive or negative) relative to `now()`: a skewed or stepped calendar clock. */
  shiftWall(ms: number): void
}

/** Options of `createFakeClock`. */
export interface FakeClockOptions {
  /** What `wallNow()` returns at `startMs`. Default 1_700_000_000_000 (November 2023). */
  wallStartMs?: number
  /**
   * Most timers one `advance()` may fire before it throws `HB_ERR_CONFIG`,
   * so a timer that re-arms itself at 0 ms fails the test instead of hanging
   * it. Default 10_000_000.
   */
  maxFiresPerAdvance?: number
}

const DEFAULT_WALL_START_MS = 1_700_000_000_000
const DEFAULT_MAX_FIRES_PER_ADVANCE = 10_000_000

interface FakeTimer {
  /** Also the arming sequence, which breaks deadline ties. Doubles as the public handle. */
  readonly id: number
  readonly deadline: number
  readonly callback: () => void
  heapIndex: number
}

/**
 * Creates a fake clock whose `now()` starts at `startMs`. Handles returned by
 * `setTimeout` are positive integers.
 */
export function createFakeClock(startMs = 0, options: FakeClockOptions = {}): FakeClock {
  const wallStartMs = options.wallStartMs ?? DEFAULT_WALL_START_MS
  const maxFires = options.maxFiresPerAdvance ?? DEFAULT_MAX_FIRES_PER_ADVANCE
  if (!Number.isFinite(startMs)) throw configError(`createFakeClock: startMs must be finite, got ${startMs}`)
  if (!Number.isFinite(wallStartMs)) throw configError(`createFakeClock: wallStartMs must be finite, got ${wallStartMs}`)
  if (!Number.isInteger(maxFires) || maxFires < 1) {
    throw configError(`createFakeClock: maxFiresPerAdvance must be a positive integer, got ${maxFires}`)
  }

  let nowMs = startMs
  let wallShiftMs = 0
  let lastId = 0
  let advancing = false
  // Binary min-heap ordered by (deadline, id): monitor tests arm thousands of
  // timers, and re-sorting an array per insert would make them quadratic.
  const heap: FakeTimer[] = []
  // Handle lookup for clearTimeout, which must remove from the middle of the heap.
  const byId = new Map<number, FakeTimer>()

  const before = (a: FakeTimer, b: FakeTimer): boolean =>
    a.deadline < b.deadline || (a.deadline === b.deadline && a.id < b.id)

  const place = (timer: FakeTimer, index: number): void => {
    heap[index] = timer
    timer.heapIndex = index
  }

  const siftUp = (timer: FakeTimer, from: number): void => {
    let index = from
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = heap[parentIndex]!
      if (!before(timer, parent)) break
      place(parent, index)
      index = parentIndex
    }
    place(timer, index)
  }

  const siftDown = (timer: FakeTimer, from: number): void => {
    let index = from
    for (;;) {
      const left = 2 * index + 1
      if (left >= heap.length) break
      const right = left + 1
      let child = left
      if (right < heap.length && before(heap[right]!, heap[left]!)) child = right
      const smaller = heap[child]!
      if (!before(smaller, timer)) break
      place(smaller, index)
      index = child
    }
    place(timer, index)
  }

  const removeFromHeap = (timer: FakeTimer): void => {
    const last = heap.pop()!
    if (last === timer) return
    const index = timer.heapIndex
    // The moved element may belong above or below the hole; only one sift does anything.
    if (index > 0 && before(last, heap[(index - 1) >> 1]!)) siftUp(last, index)
    else siftDown(last, index)
  }

  const requireDuration = (method: string, ms: number): void => {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw configError(`FakeClock.${method}: ms must be a finite number >= 0, got ${ms}`)
    }
  }

  return {
    now: () => nowMs,
    wallNow: () => wallStartMs + (nowMs - startMs) + wallShiftMs,

    setTimeout(callback: () => void, delayMs: number): TimerHandle {
      // `> 0` is false for NaN too: Node treats both like 0, and so do we.
      const delay = delayMs > 0 ? delayMs : 0
      const timer: FakeTimer = { id: ++lastId, deadline: nowMs + delay, callback, heapIndex: heap.length }
      byId.set(timer.id, timer)
      heap.push(timer)
      siftUp(timer, heap.length - 1)
      return timer.id
    },

    clearTimeout(handle: TimerHandle): void {
      if (typeof handle !== 'number') return
      const timer = byId.get(handle)
      if (timer === undefined) return
      byId.delete(handle)
      removeFromHeap(timer)
    },

    advance(ms: number): number {
      requireDuration('advance', ms)
      // Nested advances would make "now() ends at start + ms" meaningless for the outer one.
      if (advancing) throw configError('FakeClock.advance: called from inside a timer callback; use stall() there')
      const target = nowMs + ms
      let fired = 0
      advancing = true
      try {
        for (;;) {
          const next = heap[0]
          if (next === undefined || next.deadline > target) break
          if (fired >= maxFires) {
            const name = next.callback.name === '' ? 'an anonymous callback' : `callback "${next.callback.name}"`
            throw new HeartbeatError(
              'HB_ERR_CONFIG',
              `FakeClock.advance: fired ${fired} timers in one advance and ${name} (timer #${next.id}, due at ${next.deadline} ms) is still due: a timer keeps re-arming itself`,
            )
          }
          byId.delete(next.id)
          removeFromHeap(next)
          // After a stall, due timers run late: time never goes back to their deadline.
          if (next.deadline > nowMs) nowMs = next.deadline
          fired++
          next.callback()
        }
        if (target > nowMs) nowMs = target
      } finally {
        advancing = false
      }
      return fired
    },

    stall(ms: number): void {
      requireDuration('stall', ms)
      nowMs += ms
    },

    pending: () => heap.length,

    shiftWall(ms: number): void {
      if (!Number.isFinite(ms)) throw configError(`FakeClock.shiftWall: ms must be finite, got ${ms}`)
      wallShiftMs += ms
    },
  }
}
