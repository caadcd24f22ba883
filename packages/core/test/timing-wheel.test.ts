import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Clock } from '../src/time/clock.js'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { createFakeClock } from '../src/testing/fake-clock.js'
import type { FakeClock } from '../src/testing/fake-clock.js'
import { createTimingWheel } from '../src/time/timing-wheel.js'
import type { TimingWheelOptions } from '../src/time/timing-wheel.js'

interface Expiry {
  entry: number
  at: number
  lagMs: number
}

function setup(
  options: Partial<Omit<TimingWheelOptions, 'clock'>> = {},
  clock: FakeClock = createFakeClock(),
  onExpire?: (entry: number, lagMs: number) => void,
) {
  const expired: Expiry[] = []
  const wheel = createTimingWheel({
    clock,
    ...options,
    onExpire(entry, lagMs) {
      expired.push({ entry, at: clock.now(), lagMs })
      onExpire?.(entry, lagMs)
    },
  })
  return { clock, wheel, expired }
}

/** The fake clock, counting the timer callbacks that ran (`onCallback` runs before each). */
function countingClock(clock: FakeClock, onCallback?: () => void): Clock & { callbacks: number } {
  const counting = {
    ...clock,
    callbacks: 0,
    setTimeout: (callback: () => void, delayMs: number) =>
      clock.setTimeout(() => {
        counting.callbacks++
        onCallback?.()
        callback()
      }, delayMs),
  }
  return counting
}

/** tickMs × ceil(deadline / tickMs), computed exactly: when a deadline falls due. */
function dueTickEnd(deadline: number, tickMs: number): number {
  let tick = Math.ceil(deadline / tickMs)
  if (tick * tickMs < deadline) tick++
  else if ((tick - 1) * tickMs >= deadline) tick--
  return tick * tickMs
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('timing wheel: never early, at most one tick late', () => {
  it.each([
    { startMs: 0, deadline: 1, tickMs: 100, lastBefore: 0 },
    { startMs: 0, deadline: 99, tickMs: 100, lastBefore: 98 },
    { startMs: 0, deadline: 100, tickMs: 100, lastBefore: 99 },
    { startMs: 0, deadline: 101, tickMs: 100, lastBefore: 100 },
    { startMs: 0, deadline: 250, tickMs: 1, lastBefore: 249 },
    { startMs: 0, deadline: 1_000, tickMs: 7, lastBefore: 999 },
    { startMs: 37, deadline: 100.5, tickMs: 100, lastBefore: 100.25 },
    { startMs: 1_234.5, deadline: 5_000.25, tickMs: 10, lastBefore: 5_000 },
    { startMs: -5_000, deadline: -1_001, tickMs: 100, lastBefore: -1_002 },
    { startMs: 0, deadline: 0.3, tickMs: 0.1, lastBefore: 0.29 },
    { startMs: 0, deadline: 123_456, tickMs: 100, lastBefore: 123_455, slots: 8 },
  ])('deadline $deadline, tick $tickMs (start $startMs)', ({ startMs, deadline, tickMs, lastBefore, slots }) => {
    const { clock, wheel, expired } = setup({ tickMs, slots }, createFakeClock(startMs))
    wheel.arm(3, deadline)
    clock.advance(lastBefore - startMs)
    expect(expired).toEqual([])
    clock.advance(deadline + tickMs - clock.now())
    expect(expired).toHaveLength(1)
    const [expiry] = expired
    expect(expiry?.entry).toBe(3)
    expect(expiry?.at).toBeGreaterThanOrEqual(deadline)
    expect(expiry?.at).toBeLessThanOrEqual(deadline + tickMs)
    expect(expiry?.lagMs).toBe(0)
    expect(wheel.size).toBe(0)
    expect(clock.pending()).toBe(0)
  })

  it('fires a deadline already passed on the next tick', () => {
    const { clock, wheel, expired } = setup({ tickMs: 100 }, createFakeClock(1_050))
    wheel.arm(0, 10)
    wheel.arm(1, 1_050)
    clock.advance(49)
    expect(expired).toEqual([])
    clock.advance(1)
    expect(expired.map((e) => [e.entry, e.at])).toEqual(
      expect.arrayContaining([
        [0, 1_100],
        [1, 1_100],
      ]),
    )
  })

  it('fires 100_000 random deadlines exactly once each, none early, none more than one tick late', () => {
    const tickMs = 50
    const clock = createFakeClock()
    const random = seededRandom(42)
    const count = 100_000
    const deadlines = new Float64Array(count)
    const fires = new Uint8Array(count)
    let early = 0
    let late = 0
    const wheel = createTimingWheel({
      clock,
      tickMs,
      slots: 256, // 12.8 s per revolution: most deadlines wait several
      onExpire(entry) {
        fires[entry]!++
        const lateBy = clock.now() - deadlines[entry]!
        if (lateBy < 0) early++
        if (lateBy > tickMs) late++
      },
    })
    for (let entry = 0; entry < count; entry++) {
      deadlines[entry] = 1 + random() * 60_000
      wheel.arm(entry, deadlines[entry]!)
    }
    expect(wheel.size).toBe(count)
    clock.advance(30_000)
    clock.advance(30_000 + tickMs)
    expect({ early, late }).toEqual({ early: 0, late: 0 })
    expect(fires.every((n) => n === 1)).toBe(true)
    expect(wheel.size).toBe(0)
    expect(clock.pending()).toBe(0)
  })
})

describe('timing wheel: random churn against a model', () => {
  it.each([{ seed: 1 }, { seed: 2 }, { seed: 3 }])(
    'arms, re-arms (earlier, later, past), cancels and callback re-arms stay exact (seed $seed)',
    ({ seed }) => {
      const tickMs = 10
      const count = 2_000
      const random = seededRandom(seed)
      const clock = createFakeClock(-123)
      const deadline = new Float64Array(count).fill(Number.NaN)
      const armedAt = new Float64Array(count)
      const problems: string[] = []
      let armedCount = 0
      const arm = (entry: number, at: number): void => {
        if (Number.isNaN(deadline[entry]!)) armedCount++
        deadline[entry] = at
        armedAt[entry] = clock.now()
        wheel.arm(entry, at)
      }
      const wheel = createTimingWheel({
        clock,
        tickMs,
        slots: 16, // 160 ms per revolution, so deadlines span many
        onExpire(entry, lagMs) {
          const now = clock.now()
          const due = deadline[entry]!
          if (Number.isNaN(due)) problems.push(`${entry} fired unarmed at ${now}`)
          else if (now < due) problems.push(`${entry} fired early: ${now} < ${due}`)
          else if (now > Math.max(due, armedAt[entry]!) + tickMs) problems.push(`${entry} fired late at ${now} (due ${due})`)
          if (lagMs !== 0) problems.push(`lag ${lagMs}`)
          deadline[entry] = Number.NaN
          armedCount--
          if (random() < 0.2) arm(entry, now + (random() - 0.3) * 500)
        },
      })
      for (let step = 0; step < 200; step++) {
        for (let op = 0; op < 50; op++) {
          const entry = Math.floor(random() * count)
          if (random() < 0.15) {
            const wasArmed = !Number.isNaN(deadline[entry]!)
            if (wheel.cancel(entry) !== wasArmed) problems.push(`cancel(${entry}) disagreed`)
            if (wasArmed) armedCount--
            deadline[entry] = Number.NaN
          } else {
            arm(entry, clock.now() + (random() - 0.1) * (random() < 0.1 ? 5_000 : 300))
          }
        }
        clock.advance(Math.floor(random() * (random() < 0.05 ? 500 : 30)))
        for (let entry = 0; entry < count; entry++) {
          const due = deadline[entry]!
          if (!Number.isNaN(due) && clock.now() >= Math.max(due, armedAt[entry]!) + tickMs) {
            problems.push(`${entry} still armed at ${clock.now()} (due ${due})`)
          }
          const reported = wheel.deadlineOf(entry)
          if (Number.isNaN(due) !== Number.isNaN(reported)) problems.push(`deadlineOf(${entry}) disagreed on armed`)
          else if (!Number.isNaN(due)) {
            // The end of the deadline's tick; a deadline armed in the past is raised to a tick not yet processed.
            const exact = due >= armedAt[entry]! ? dueTickEnd(due, tickMs) : undefined
            const onTick = Number.isInteger(Math.round(reported / tickMs)) && Math.round(reported / tickMs) * tickMs === reported
            if (exact !== undefined ? reported !== exact : !(onTick && reported >= due && reported <= armedAt[entry]! + tickMs)) {
              problems.push(`deadlineOf(${entry}) = ${reported} for a deadline of ${due} armed at ${armedAt[entry]}`)
            }
          }
        }
        expect(problems.slice(0, 5)).toEqual([])
        expect(wheel.size).toBe(armedCount)
        expect(clock.pending()).toBe(armedCount > 0 ? 1 : 0)
      }
    },
  )
})

describe('timing wheel: arm, re-arm, cancel', () => {
  it('re-arm moves the deadline, later or earlier, without changing size', () => {
    const { clock, wheel, expired } = setup({ tickMs: 10 })
    wheel.arm(1, 100)
    wheel.arm(2, 100)
    wheel.arm(1, 500)
    wheel.arm(2, 40)
    expect(wheel.size).toBe(2)
    expect(wheel.deadlineOf(1)).toBe(500)
    clock.advance(100)
    expect(expired.map((e) => [e.entry, e.at])).toEqual([[2, 40]])
    clock.advance(400)
    expect(expired.map((e) => [e.entry, e.at])).toEqual([
      [2, 40],
      [1, 500],
    ])
  })

  it.each([
    { deadlines: [500, 900], firesAt: 900 },
    { deadlines: [500, 900, 300], firesAt: 300 },
    { deadlines: [500, 900, 700], firesAt: 700 },
    { deadlines: [500, 20_000, 505], firesAt: 510 },
    { deadlines: [500, 499.5, 1_000], firesAt: 1_000 },
  ])('re-arming through $deadlines fires once, at $firesAt', ({ deadlines, firesAt }) => {
    const { clock, wheel, expired } = setup({ tickMs: 10, slots: 16 })
    for (const deadline of deadlines) wheel.arm(0, deadline)
    expect(wheel.deadlineOf(0)).toBe(firesAt)
    clock.advance(firesAt - 1)
    expect(expired).toEqual([])
    clock.advance(30_000)
    expect(expired).toEqual([{ entry: 0, at: firesAt, lagMs: 0 }])
  })

  it('moves lazily re-armed entries on when their old tick comes, in chunks of maxBatch', () => {
    const clock = createFakeClock()
    const counting = countingClock(clock)
    const expired: number[] = []
    const wheel = createTimingWheel({ clock: counting, tickMs: 10, maxBatch: 1_000, onExpire: () => expired.push(clock.now()) })
    for (let entry = 0; entry < 5_000; entry++) wheel.arm(entry, 100)
    for (let entry = 0; entry < 5_000; entry++) wheel.arm(entry, 1_000)
    clock.advance(999)
    expect(expired).toEqual([])
    expect(counting.callbacks).toBeGreaterThanOrEqual(5)
    expect(wheel.size).toBe(5_000)
    expect(clock.pending()).toBe(1)
    counting.callbacks = 0
    clock.advance(1)
    expect(expired).toHaveLength(5_000)
    expect(expired.every((at) => at === 1_000)).toBe(true)
    expect(counting.callbacks).toBeGreaterThanOrEqual(5)
  })

  it('cancel disarms and reports whether the entry was armed', () => {
    const { clock, wheel, expired } = setup()
    wheel.arm(7, 300)
    expect(wheel.isArmed(7)).toBe(true)
    expect(wheel.cancel(7)).toBe(true)
    expect(wheel.cancel(7)).toBe(false)
    expect(wheel.cancel(8)).toBe(false)
    expect(wheel.cancel(1_000_000)).toBe(false)
    expect(wheel.isArmed(7)).toBe(false)
    expect(wheel.deadlineOf(7)).toBeNaN()
    expect(wheel.size).toBe(0)
    expect(clock.pending()).toBe(0)
    clock.advance(1_000)
    expect(expired).toEqual([])
  })

  it('keeps exactly one clock timer while armed and none when empty', () => {
    const { clock, wheel } = setup({ tickMs: 10 })
    for (let entry = 0; entry < 50; entry++) {
      wheel.arm(entry, 1_000 - entry * 10)
      expect(clock.pending()).toBe(1)
    }
    clock.advance(500)
    expect(clock.pending()).toBe(1)
    for (let entry = 0; entry < 50; entry++) wheel.cancel(entry)
    expect(wheel.size).toBe(0)
    expect(clock.pending()).toBe(0)
    wheel.arm(3, 600)
    expect(clock.pending()).toBe(1)
    clock.advance(100)
    expect(clock.pending()).toBe(0)
  })

  it('tracks size through arms, re-arms, cancels and expiries', () => {
    const { clock, wheel } = setup({ tickMs: 10 })
    const steps: Array<[string, () => unknown, number]> = [
      ['arm 0', () => wheel.arm(0, 100), 1],
      ['arm 1', () => wheel.arm(1, 200), 2],
      ['re-arm 0', () => wheel.arm(0, 300), 2],
      ['cancel 1', () => wheel.cancel(1), 1],
      ['cancel 1 again', () => wheel.cancel(1), 1],
      ['arm 2', () => wheel.arm(2, 50), 2],
      ['advance past 2', () => clock.advance(60), 1],
      ['advance past 0', () => clock.advance(300), 0],
    ]
    for (const [name, step, size] of steps) {
      step()
      expect(wheel.size, name).toBe(size)
    }
  })

  it('grows its storage past the initial capacity', () => {
    const { clock, wheel, expired } = setup({ tickMs: 10 })
    const entries = [0, 1_023, 1_024, 5_000, 65_537, 1_000_000]
    entries.forEach((entry, i) => wheel.arm(entry, 100 + i * 10))
    expect(wheel.size).toBe(entries.length)
    for (const entry of entries) expect(wheel.isArmed(entry)).toBe(true)
    expect(wheel.deadlineOf(1_000_000)).toBe(150)
    expect(wheel.isArmed(999_999)).toBe(false)
    clock.advance(200)
    expect(expired.map((e) => e.entry)).toEqual(entries)
  })

  it.each([
    { entry: -1, deadline: 10 },
    { entry: 1.5, deadline: 10 },
    { entry: 2 ** 31, deadline: 10 },
    { entry: Number.NaN, deadline: 10 },
    { entry: 1, deadline: Number.NaN },
    { entry: 1, deadline: Number.POSITIVE_INFINITY },
  ])('arm($entry, $deadline) throws HB_ERR_CONFIG', ({ entry, deadline }) => {
    const { wheel } = setup()
    expect(() => wheel.arm(entry, deadline)).toThrowError(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    expect(wheel.size).toBe(0)
    expect(wheel.isArmed(entry)).toBe(false)
  })

  it.each([{ tickMs: 0 }, { tickMs: Number.NaN }, { slots: 0 }, { slots: 2.5 }, { maxBatch: 0 }])(
    'rejects options %o',
    (options) => {
      expect(() => setup(options)).toThrowError(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    },
  )
})

describe('timing wheel: callbacks', () => {
  it('lets onExpire re-arm the expiring entry', () => {
    const clock = createFakeClock()
    const { wheel, expired } = setup({ tickMs: 10 }, clock, (entry) => {
      if (clock.now() < 1_000) wheel.arm(entry, clock.now() + 250)
    })
    wheel.arm(0, 250)
    clock.advance(2_000)
    expect(expired.map((e) => e.at)).toEqual([250, 500, 750, 1_000])
    expect(clock.pending()).toBe(0)
  })

  it('fires an entry re-armed into the tick being processed at the next tick, not in a loop', () => {
    const clock = createFakeClock()
    const { wheel, expired } = setup({ tickMs: 100 }, clock, (entry) => wheel.arm(entry, clock.now()))
    wheel.arm(0, 100)
    clock.advance(1_000)
    expect(expired.map((e) => e.at)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000])
    wheel.cancel(0)
    expect(clock.pending()).toBe(0)
  })

  it('lets onExpire cancel and arm other entries, including ones due in the same tick', () => {
    const clock = createFakeClock()
    const { wheel, expired } = setup({ tickMs: 100 }, clock, () => {
      if (expired.length > 1) return
      for (let other = 0; other < 10; other++) wheel.cancel(other)
      wheel.arm(50, 150)
      wheel.arm(4, 100) // due already: fires on the next tick, not in this one
    })
    for (let entry = 0; entry < 10; entry++) wheel.arm(entry, 100)
    clock.advance(100)
    expect(expired).toHaveLength(1)
    expect(wheel.size).toBe(2)
    clock.advance(100)
    expect(expired.slice(1).map((e) => [e.entry, e.at])).toEqual(
      expect.arrayContaining([
        [50, 200],
        [4, 200],
      ]),
    )
    expect(wheel.size).toBe(0)
  })

  it('delivers every expiry despite a throwing onExpire and rethrows the first error in a microtask', () => {
    const queued: Array<() => void> = []
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      queued.push(callback)
    })
    const clock = createFakeClock()
    const { wheel, expired } = setup({ tickMs: 10 }, clock, (entry) => {
      if (entry % 2 === 1) throw new Error(`boom ${entry}`)
    })
    for (let entry = 0; entry < 6; entry++) wheel.arm(entry, 10)
    wheel.arm(8, 500)
    clock.advance(10)
    expect(expired).toHaveLength(6)
    expect(queued).toHaveLength(1)
    expect(() => queued[0]?.()).toThrowError(/^boom [135]$/)
    expect(wheel.size).toBe(1)
    clock.advance(490)
    expect(expired.at(-1)?.entry).toBe(8)
    expect(queued).toHaveLength(1)
    expect(clock.pending()).toBe(0)
  })
})

describe('timing wheel: lag and mass expiry', () => {
  it('reports lagMs when the clock timer ran late (a blocked loop)', () => {
    const { clock, wheel, expired } = setup({ tickMs: 100 })
    wheel.arm(0, 1_000)
    wheel.arm(1, 1_040)
    wheel.arm(2, 9_000)
    clock.stall(5_000)
    expect(expired).toEqual([])
    clock.advance(0)
    expect(expired.map((e) => [e.entry, e.at, e.lagMs])).toEqual([
      [0, 5_000, 4_000],
      [1, 5_000, 4_000],
    ])
    clock.advance(4_000)
    expect(expired.at(-1)).toEqual({ entry: 2, at: 9_000, lagMs: 0 })
  })

  it('after a block longer than a revolution, delivers all missed ticks in one callback and none early', () => {
    const clock = createFakeClock()
    const counting = countingClock(clock)
    const expired: Array<[number, number]> = []
    const wheel = createTimingWheel({ clock: counting, tickMs: 10, slots: 16, onExpire: (e, lag) => expired.push([e, lag]) })
    for (let entry = 0; entry < 100; entry++) wheel.arm(entry, 100 + entry * 37) // up to 23 revolutions out
    wheel.arm(100, 100_000)
    clock.stall(10_000)
    clock.advance(0)
    expect(counting.callbacks).toBe(1)
    expect(expired).toHaveLength(100)
    expect(new Set(expired.map(([e]) => e)).size).toBe(100)
    expect(expired.every(([, lag]) => lag === 9_900)).toBe(true)
    expect(wheel.size).toBe(1)
    clock.advance(90_000)
    expect(expired.at(-1)).toEqual([100, 0])
  })

  it('survives a block of 2^31 ticks and deadlines far in the future', () => {
    const { clock, wheel, expired } = setup({ tickMs: 1, slots: 64 })
    wheel.arm(0, 2 ** 30 + 5)
    wheel.arm(1, 10)
    wheel.arm(2, 2 ** 31 + 100)
    wheel.arm(3, 1e15)
    clock.stall(2 ** 31)
    clock.advance(0)
    // One sweep of the slots: order across the missed ticks is by slot, not by deadline.
    expect(expired.map((e) => [e.entry, e.at, e.lagMs]).sort()).toEqual([
      [0, 2 ** 31, 2 ** 31 - 1],
      [1, 2 ** 31, 2 ** 31 - 1],
    ])
    expect(wheel.deadlineOf(2)).toBe(2 ** 31 + 100)
    clock.advance(99)
    expect(expired).toHaveLength(2)
    clock.advance(1)
    expect(expired.at(-1)).toEqual({ entry: 2, at: 2 ** 31 + 100, lagMs: 0 })
    expect(wheel.isArmed(3)).toBe(true)
    wheel.arm(3, 2 ** 31 + 300)
    clock.advance(300)
    expect(expired.at(-1)).toEqual({ entry: 3, at: 2 ** 31 + 300, lagMs: 0 })
    expect(clock.pending()).toBe(0)
  })

  it('stays exact across many moves of its int32 tick base, with near and far deadlines mixed', () => {
    // tickMs 1: every block of 2^29 ticks forces the wheel to move its base on;
    // deadlines 2^31 ahead live outside the int32 range until they come near.
    const random = seededRandom(7)
    const { clock, wheel, expired } = setup({ tickMs: 1, slots: 16 })
    const count = 40
    const deadline = new Float64Array(count).fill(Number.NaN)
    const problems: string[] = []
    for (let round = 0; round < 8; round++) {
      for (let entry = 0; entry < count; entry++) {
        if (!Number.isNaN(deadline[entry]!) && random() < 0.5) continue // keep some far ones across rounds
        const far = random() < 0.2
        deadline[entry] = clock.now() + (far ? 2 ** 31 + random() * 1_000 : 1 + random() * 200)
        wheel.arm(entry, deadline[entry]!)
      }
      const seen = expired.length
      // Walk 260 ticks one at a time: every near deadline fires exactly at its tick's end.
      for (let step = 0; step < 260; step++) clock.advance(1)
      for (const { entry, at, lagMs } of expired.slice(seen)) {
        const due = deadline[entry]!
        if (at !== dueTickEnd(due, 1) || lagMs !== 0) problems.push(`round ${round}: ${entry} due ${due} fired at ${at} lag ${lagMs}`)
        deadline[entry] = Number.NaN
      }
      for (let entry = 0; entry < count; entry++) {
        const due = deadline[entry]!
        if (!Number.isNaN(due) && due <= clock.now()) problems.push(`round ${round}: ${entry} due ${due} did not fire`)
        if (!Number.isNaN(due) && wheel.deadlineOf(entry) !== dueTickEnd(due, 1)) problems.push(`round ${round}: deadlineOf(${entry})`)
      }
      // Block for 2^29 ticks and more: whatever fell due fires once, late, never early.
      const before = expired.length
      clock.stall(2 ** 29 + Math.floor(random() * 2 ** 28))
      clock.advance(0)
      for (const { entry, at } of expired.slice(before)) {
        if (at < deadline[entry]!) problems.push(`round ${round}: ${entry} fired early after the block`)
        deadline[entry] = Number.NaN
      }
      expect(problems).toEqual([])
      expect(wheel.size).toBe(deadline.filter((due) => !Number.isNaN(due)).length)
    }
    wheel.close()
    expect(clock.pending()).toBe(0)
  })

  it('chunks a mass expiry: 50_000 entries, maxBatch 1000, >= 50 callbacks of <= 1000 each', () => {
    const clock = createFakeClock()
    const perCallback: number[] = []
    const counting = countingClock(clock, () => perCallback.push(0))
    const lags = new Set<number>()
    let maxPending = 0
    const wheel = createTimingWheel({
      clock: counting,
      tickMs: 100,
      maxBatch: 1_000,
      onExpire(_entry, lagMs) {
        perCallback[perCallback.length - 1]!++
        lags.add(lagMs)
        maxPending = Math.max(maxPending, clock.pending())
      },
    })
    for (let entry = 0; entry < 50_000; entry++) wheel.arm(entry, 401 + (entry % 100))
    clock.stall(750) // the timer is due at 500 and runs at 750: every chunk reports that lag
    clock.advance(0)
    const delivering = perCallback.filter((n) => n > 0)
    expect(delivering.reduce((a, b) => a + b, 0)).toBe(50_000)
    expect(delivering.length).toBeGreaterThanOrEqual(50)
    expect(Math.max(...delivering)).toBeLessThanOrEqual(1_000)
    expect([...lags]).toEqual([250])
    expect(maxPending).toBe(0) // the continuation is armed after the chunk, never alongside another timer
    expect(wheel.size).toBe(0)
    expect(clock.pending()).toBe(0)
  })

  it('ends a chunked run early when everything left is cancelled between chunks', () => {
    const clock = createFakeClock()
    let cancelled = 0
    const cancelAll = (): void => {
      for (let entry = 0; entry < 100; entry++) if (wheel.cancel(entry)) cancelled++
    }
    const { wheel, expired } = setup({ tickMs: 10, maxBatch: 10 }, clock, () => {
      // Armed before the wheel's continuation timer, so it runs between the chunks.
      if (expired.length === 10) clock.setTimeout(cancelAll, 0)
    })
    for (let entry = 0; entry < 100; entry++) wheel.arm(entry, 10)
    clock.advance(10)
    expect(expired).toHaveLength(10)
    expect(cancelled).toBe(90)
    expect(wheel.size).toBe(0)
    expect(clock.pending()).toBe(0)
    wheel.arm(1, 25)
    clock.advance(20)
    expect(expired.at(-1)).toEqual({ entry: 1, at: 30, lagMs: 0 })
  })
})

describe('timing wheel: close', () => {
  it('cancels everything, leaves no timer, is idempotent, and refuses arm afterwards', () => {
    const { clock, wheel, expired } = setup()
    for (let entry = 0; entry < 10; entry++) wheel.arm(entry, 1_000)
    wheel.close()
    wheel.close()
    expect(clock.pending()).toBe(0)
    expect(wheel.size).toBe(0)
    expect(wheel.isArmed(3)).toBe(false)
    expect(wheel.cancel(3)).toBe(false)
    let error: unknown
    try {
      wheel.arm(1, 2_000)
    } catch (caught) {
      error = caught
    }
    expect(HeartbeatError.isInstance(error) && error.code).toBe('HB_ERR_CLOSED')
    clock.advance(5_000)
    expect(expired).toEqual([])
  })

  it('stops delivering when onExpire closes the wheel', () => {
    const clock = createFakeClock()
    const { wheel, expired } = setup({ tickMs: 10, maxBatch: 3 }, clock, () => wheel.close())
    for (let entry = 0; entry < 10; entry++) wheel.arm(entry, 10)
    clock.advance(100)
    expect(expired).toHaveLength(1)
    expect(clock.pending()).toBe(0)
  })
})
