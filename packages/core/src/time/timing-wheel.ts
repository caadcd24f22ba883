/**
 * A hashed timing wheel: one deadline per integer entry (the monitor's peer
 * slot) on ONE clock timer, entries kept in typed arrays as doubly linked
 * lists, one per slot, because a monitor re-arms every peer on every beat and
 * a million `setTimeout`s would cost both memory and time.
 *
 * A deadline D is due at tick ceil(D / tickMs), and tick t is processed only
 * once clock.now() >= t·tickMs, so nothing fires early. The wheel keeps each
 * entry's due tick, not its deadline: firing at a tick boundary needs nothing
 * more, and the hot re-arm then touches 4 bytes per entry (at a million
 * entries in random order, cache misses are the whole cost of a re-arm).
 * An entry sits in the list of its "link tick", never after its due tick: a
 * re-arm to a later deadline only rewrites the due tick, and the scan that
 * reaches the entry moves it on (or leaves it for a later revolution of the
 * same slot).
 *
 * Ticks are stored as int32 counts from a base tick. Every 2^29 ticks the base
 * moves on (one pass over the entries, by a multiple of the slot count, so no
 * entry changes slot); the rare entry due further ahead than the int32 range
 * allows keeps its ticks in a side map until it comes within range.
 */
import type { TimerHandle } from './clock.js'
import { HeartbeatError, configError } from '../errors/heartbeat-error.js'
import type { TimingWheel, TimingWheelOptions } from './timing-wheel-types.js'

export type { TimingWheel, TimingWheelOptions } from './timing-wheel-types.js'

const NONE = -1
const ENTRY_LIMIT = 2 ** 31
const MAX_SLOTS = 2 ** 24
const INITIAL_CAPACITY = 1024
// Due ticks, relative to `base`, in an Int32Array. UNARMED and FAR sit above
// every stored tick, so the hot re-arm's `tick >= dueTicks[entry]` fails for both.
const UNARMED = 2 ** 31 - 1
const FAR = 2 ** 31 - 2 // ticks kept in `farTicks` instead
const TICK_LIMIT = 2 ** 30 // stored ticks are below this
const REBASE_AT = 2 ** 29 // move the base on once nextTick passes this

interface FarTicks {
  due: number
  link: number
}

/** Creates a timing wheel. Throws `HB_ERR_CONFIG` for invalid options. */
export function createTimingWheel(options: TimingWheelOptions): TimingWheel {
  const { clock, onExpire } = options
  const tickMs = options.tickMs ?? 100
  const requestedSlots = options.slots ?? 1024
  const maxBatch = options.maxBatch ?? 10_000
  if (typeof clock?.now !== 'function') throw configError('createTimingWheel: clock is required')
  if (typeof onExpire !== 'function') throw configError('createTimingWheel: onExpire must be a function')
  if (!(tickMs > 0) || !Number.isFinite(tickMs)) throw configError(`createTimingWheel: tickMs must be > 0, got ${tickMs}`)
  if (!Number.isInteger(requestedSlots) || requestedSlots < 1 || requestedSlots > MAX_SLOTS) {
    throw configError(`createTimingWheel: slots must be an integer in 1…${MAX_SLOTS}, got ${requestedSlots}`)
  }
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw configError(`createTimingWheel: maxBatch must be a positive integer, got ${maxBatch}`)
  }
  let slotCount = 1
  while (slotCount < requestedSlots) slotCount *= 2

  // Index accesses below use `!`: every entry index is range-checked at the API
  // edge, and list links only ever hold valid indices or NONE (checked first).
  const heads = new Int32Array(slotCount).fill(NONE)
  let capacity = 0
  // The hot re-arm reads and writes only `dueTicks`. Invariant: linkTick <= dueTick.
  let dueTicks = new Int32Array(0) // UNARMED, FAR, or the due tick
  let linkTicks = new Int32Array(0) // the tick of the list an entry sits in
  let links = new Int32Array(0) // [2e] = next, [2e+1] = previous, in the slot's list
  const farTicks = new Map<number, FarTicks>()
  let size = 0
  let closed = false

  // Every tick below is relative to `base` (absolute tick = base + tick).
  let base = absoluteTickReached(clock.now())
  // Outside a run, every tick before nextTick has been processed and every
  // link tick is >= nextTick.
  let nextTick = 1
  let timer: TimerHandle
  let timerArmed = false
  let wakeTick = 0
  let timerDueAt = 0

  // A run is one batch of expirations: every entry due when a clock timer
  // fired, delivered over one or more chunks. Entries armed during a run are
  // linked after runTarget, which keeps the run bounded.
  let inRun = false
  let delivering = false
  let runTarget = 0
  let runLastScan = 0
  let runLagMs = 0
  let scanTick = 0
  // The next entry of the slot being scanned; unlink() advances it, so
  // callbacks may cancel or move any entry while a slot is walked.
  let scanNext = NONE
  let failed = false
  let firstError: unknown

  function absoluteTickReached(now: number): number {
    let tick = Math.floor(now / tickMs)
    // Division rounds; nudge so that tick·tickMs <= now < (tick+1)·tickMs holds exactly.
    if ((tick + 1) * tickMs <= now) tick++
    else if (tick * tickMs > now) tick--
    return tick
  }

  /** The (relative) tick a deadline is due at: the first tick t with (base + t)·tickMs >= deadline. */
  function tickOf(deadline: number): number {
    let tick = Math.ceil(deadline / tickMs)
    if (tick * tickMs < deadline) tick++
    else if ((tick - 1) * tickMs >= deadline) tick--
    return tick - base
  }

  // Exact for any integer tick up to 2^53.
  const slotOf = (tick: number): number => tick - Math.floor(tick / slotCount) * slotCount

  const dueOf = (entry: number): number => {
    const due = dueTicks[entry]!
    return due === FAR ? farTicks.get(entry)!.due : due
  }
  const linkOf = (entry: number): number => (dueTicks[entry] === FAR ? farTicks.get(entry)!.link : linkTicks[entry]!)

  function setTicks(entry: number, due: number, link: number): void {
    if (due < TICK_LIMIT) {
      if (dueTicks[entry] === FAR) farTicks.delete(entry)
      dueTicks[entry] = due
      linkTicks[entry] = link
    } else {
      dueTicks[entry] = FAR
      farTicks.set(entry, { due, link })
    }
  }

  /** Moves the base on by a multiple of the slot count (no entry changes slot). Outside a run only. */
  function rebase(): void {
    const delta = Math.floor(nextTick / slotCount) * slotCount
    base += delta
    nextTick -= delta
    wakeTick -= delta
    for (let entry = 0; entry < capacity; entry++) {
      const due = dueTicks[entry]!
      if (due === UNARMED || due === FAR) continue
      dueTicks[entry] = due - delta
      linkTicks[entry] = linkTicks[entry]! - delta
    }
    for (const [entry, far] of farTicks) setTicks(entry, far.due - delta, far.link - delta)
  }

  function grow(entry: number): void {
    let next = Math.max(capacity * 2, INITIAL_CAPACITY)
    while (next <= entry) next *= 2
    const grownDueTicks = new Int32Array(next).fill(UNARMED)
    const grownLinkTicks = new Int32Array(next)
    const grownLinks = new Int32Array(2 * next)
    grownDueTicks.set(dueTicks)
    grownLinkTicks.set(linkTicks)
    grownLinks.set(links)
    dueTicks = grownDueTicks
    linkTicks = grownLinkTicks
    links = grownLinks
    capacity = next
  }

  /** Puts an entry (disarmed or just unlinked) in the list of `tick`, due at `due`. */
  function link(entry: number, tick: number, due: number): void {
    const slot = slotOf(tick)
    const head = heads[slot]!
    setTicks(entry, due, tick)
    links[2 * entry] = head
    links[2 * entry + 1] = NONE
    if (head !== NONE) links[2 * head + 1] = entry
    heads[slot] = entry
  }

  function unlink(entry: number): void {
    const next = links[2 * entry]!
    const previous = links[2 * entry + 1]!
    if (entry === scanNext) scanNext = next
    if (previous === NONE) heads[slotOf(linkOf(entry))] = next
    else links[2 * previous] = next
    if (next !== NONE) links[2 * next + 1] = previous
  }

  function disarm(entry: number): void {
    unlink(entry)
    if (dueTicks[entry] === FAR) farTicks.delete(entry)
    dueTicks[entry] = UNARMED
    size--
  }

  const isEntry = (entry: number): boolean => entry >>> 0 === entry && entry < capacity

  function setTimer(tick: number, now: number): void {
    wakeTick = tick
    // No rounding: the fake clock is exact. A real timer that fires a hair early
    // takes the early path in onTimer and sleeps for the remainder.
    startTimer(Math.max(0, (base + tick) * tickMs - now), now)
  }

  function startTimer(delayMs: number, now: number): void {
    timerDueAt = now + delayMs
    timerArmed = true
    timer = clock.setTimeout(onTimer, delayMs)
  }

  function clearTimer(): void {
    if (!timerArmed) return
    timerArmed = false
    clock.clearTimeout(timer)
  }

  /** Sleeps until the first non-empty slot, so a sparse wheel does not wake every tick. */
  function schedule(now: number): void {
    if (size === 0) return
    let tick = nextTick
    for (let i = 0; i < slotCount && heads[slotOf(tick)] === NONE; i++) tick++
    setTimer(tick, now)
  }

  /** Ends a run whose remaining work vanished (everything cancelled between chunks). */
  function goIdle(): void {
    clearTimer()
    if (inRun) nextTick = runTarget + 1
    inRun = false
    scanNext = NONE
  }

  /** Delivers up to `budget` expirations of the current run; returns whether the run is complete. */
  function drain(budget: number): boolean {
    let left = budget
    for (;;) {
      while (scanNext !== NONE) {
        const entry = scanNext
        // Moving entries on costs like delivering them, so both count against the batch.
        if (left === 0) return false
        left--
        scanNext = links[2 * entry]!
        const dueTick = dueOf(entry)
        if (dueTick > runTarget) {
          // Moved later by a lazy re-arm, or a later revolution: catch its link tick up.
          if (slotOf(dueTick) === slotOf(linkOf(entry))) setTicks(entry, dueTick, dueTick)
          else {
            unlink(entry)
            link(entry, dueTick, dueTick)
          }
          continue
        }
        disarm(entry)
        try {
          onExpire(entry, runLagMs)
        } catch (error) {
          if (!failed) {
            failed = true
            firstError = error
          }
        }
        if (closed) return true
      }
      if (scanTick >= runLastScan) return true
      scanTick++
      scanNext = heads[slotOf(scanTick)]!
    }
  }

  function onTimer(): void {
    timerArmed = false
    if (closed) return
    const now = clock.now()
    if (!inRun) {
      if (nextTick > REBASE_AT) rebase()
      const reached = absoluteTickReached(now) - base
      // A timer may fire a fraction of a millisecond early; never process a tick before its time.
      if (reached < nextTick) return schedule(now)
      inRun = true
      runTarget = reached
      runLagMs = Math.max(0, now - timerDueAt)
      // After a long block (more ticks missed than slots), one sweep of every
      // slot finds all due entries: work is bounded by slots, not by lag.
      runLastScan = Math.min(reached, nextTick + slotCount - 1)
      scanTick = nextTick - 1
      scanNext = NONE
    }
    delivering = true
    const complete = drain(maxBatch)
    delivering = false
    if (!closed) {
      if (complete) {
        inRun = false
        nextTick = runTarget + 1
        schedule(clock.now())
      } else {
        startTimer(0, clock.now()) // yield to the event loop between chunks
      }
    }
    if (failed) {
      const error = firstError
      failed = false
      firstError = undefined
      queueMicrotask(() => {
        throw error
      })
    }
  }

  function armSlowly(entry: number, deadlineMs: number): void {
    if (closed) throw new HeartbeatError('HB_ERR_CLOSED', 'timing wheel: arm() after close()')
    if (entry >>> 0 !== entry || entry >= ENTRY_LIMIT) {
      throw configError(`timing wheel: entry must be an integer in 0…2^31-1, got ${entry}`)
    }
    if (!Number.isFinite(deadlineMs)) throw configError(`timing wheel: deadline must be finite, got ${deadlineMs}`)
    if (entry >= capacity) grow(entry)
    const armed = dueTicks[entry] !== UNARMED
    if (!inRun) {
      // Idle since who knows when: skip the empty ticks instead of walking them later.
      if (!armed && size === 0) nextTick = Math.max(nextTick, absoluteTickReached(clock.now()) - base + 1)
      if (nextTick > REBASE_AT) rebase()
    }
    const tick = Math.max(tickOf(deadlineMs), inRun ? runTarget + 1 : nextTick)
    if (armed) {
      const linkTick = linkOf(entry)
      // Not before where it sits (a past deadline raised to the floor): stay put, as in arm().
      if (tick >= linkTick) return setTicks(entry, tick, linkTick)
      unlink(entry)
    } else {
      size++
    }
    link(entry, tick, tick)
    if (inRun) return // the run reschedules when it completes
    if (!timerArmed) {
      setTimer(tick, clock.now())
    } else if (tick < wakeTick) {
      // Wake at the earliest tick any entry can have, not at this one: then no
      // later arm can be earlier still, so at most one reschedule per wake.
      clearTimer()
      setTimer(nextTick, clock.now())
    }
  }

  return {
    arm(entry: number, deadlineMs: number): void {
      // The monitor's hot path, on every beat: the due tick moves later, so the
      // entry can stay where it sits (its link tick is <= the old due tick <= the
      // new one) and the scan of that tick moves it on. A closed wheel has
      // capacity 0; an unarmed entry (UNARMED), a far one (FAR) and a bad
      // deadline (NaN, ±Infinity, beyond TICK_LIMIT) all fail the comparisons.
      const tick = tickOf(deadlineMs)
      if (entry < capacity && entry >>> 0 === entry && tick >= dueTicks[entry]! && tick < TICK_LIMIT) {
        dueTicks[entry] = tick
        return
      }
      armSlowly(entry, deadlineMs)
    },

    cancel(entry: number): boolean {
      if (!isEntry(entry) || dueTicks[entry] === UNARMED) return false
      disarm(entry)
      if (size === 0 && !delivering) goIdle()
      return true
    },

    isArmed: (entry: number): boolean => isEntry(entry) && dueTicks[entry] !== UNARMED,

    deadlineOf: (entry: number): number =>
      isEntry(entry) && dueTicks[entry] !== UNARMED ? (base + dueOf(entry)) * tickMs : Number.NaN,

    get size(): number {
      return size
    },

    close(): void {
      if (closed) return
      closed = true
      goIdle()
      heads.fill(NONE)
      // Drop the storage: a closed monitor should not keep 16 MB per million peers alive.
      capacity = 0
      dueTicks = new Int32Array(0)
      linkTicks = new Int32Array(0)
      links = new Int32Array(0)
      farTicks.clear()
      size = 0
    },
  }
}
