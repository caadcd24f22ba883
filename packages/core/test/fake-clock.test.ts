import { describe, expect, it } from 'vitest'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { createFakeClock } from '../src/testing/fake-clock.js'

describe('createFakeClock: time', () => {
  it('starts at startMs with the default wall start', () => {
    const clock = createFakeClock()
    expect(clock.now()).toBe(0)
    expect(clock.wallNow()).toBe(1_700_000_000_000)
    const shifted = createFakeClock(5_000, { wallStartMs: 42 })
    expect(shifted.now()).toBe(5_000)
    expect(shifted.wallNow()).toBe(42)
  })

  it('moves wallNow with now, plus every shiftWall', () => {
    const clock = createFakeClock(1_000, { wallStartMs: 10_000 })
    clock.advance(250)
    expect(clock.wallNow()).toBe(10_250)
    clock.shiftWall(-3_000)
    expect(clock.wallNow()).toBe(7_250)
    expect(clock.now()).toBe(1_250)
    clock.shiftWall(500)
    clock.stall(50)
    expect(clock.wallNow()).toBe(7_800)
  })

  it.each([
    { method: 'advance' as const, ms: -1 },
    { method: 'advance' as const, ms: Number.NaN },
    { method: 'advance' as const, ms: Number.POSITIVE_INFINITY },
    { method: 'stall' as const, ms: -5 },
    { method: 'stall' as const, ms: Number.NaN },
  ])('$method($ms) throws HB_ERR_CONFIG', ({ method, ms }) => {
    const clock = createFakeClock()
    expect(() => clock[method](ms)).toThrowError(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    expect(clock.now()).toBe(0)
  })
})

describe('createFakeClock: firing order', () => {
  it.each([
    { name: 'deadline order', delays: [30, 10, 20], advanceMs: 100, fired: [1, 2, 0] },
    { name: 'ties in arming order', delays: [10, 5, 10, 5, 10], advanceMs: 10, fired: [1, 3, 0, 2, 4] },
    { name: 'only timers due by the target', delays: [10, 11, 9], advanceMs: 10, fired: [2, 0] },
    { name: 'negative and NaN delays as 0', delays: [5, -20, Number.NaN, 0], advanceMs: 0, fired: [1, 2, 3] },
  ])('$name', ({ delays, advanceMs, fired }) => {
    const clock = createFakeClock(100)
    const seen: Array<{ index: number; at: number }> = []
    delays.forEach((delay, index) => clock.setTimeout(() => seen.push({ index, at: clock.now() }), delay))
    expect(clock.advance(advanceMs)).toBe(fired.length)
    expect(seen.map((s) => s.index)).toEqual(fired)
    for (const { index, at } of seen) expect(at).toBe(100 + Math.max(0, delays[index] || 0))
    expect(clock.now()).toBe(100 + advanceMs)
    expect(clock.pending()).toBe(delays.length - fired.length)
  })

  it('fires timers armed during an advance when they fall due by the target', () => {
    const clock = createFakeClock()
    const log: string[] = []
    clock.setTimeout(() => {
      log.push(`a@${clock.now()}`)
      clock.setTimeout(() => log.push(`inside@${clock.now()}`), 30)
      clock.setTimeout(() => log.push(`beyond@${clock.now()}`), 200)
      clock.setTimeout(() => log.push(`zero@${clock.now()}`), 0)
    }, 10)
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 10)
    clock.setTimeout(() => log.push(`c@${clock.now()}`), 40)

    expect(clock.advance(100)).toBe(5)
    // zero is due at 10 like b, but armed after it; inside (40) ties with c and was armed later.
    expect(log).toEqual(['a@10', 'b@10', 'zero@10', 'c@40', 'inside@40'])
    expect(clock.now()).toBe(100)
    expect(clock.pending()).toBe(1)
    expect(clock.advance(109)).toBe(0)
    expect(clock.advance(1)).toBe(1)
    expect(log.at(-1)).toBe('beyond@210')
  })

  it('advance(0) fires timers due now, including 0 ms timers armed meanwhile', () => {
    const clock = createFakeClock()
    let count = 0
    const tick = (): void => {
      count++
      if (count < 3) clock.setTimeout(tick, 0)
    }
    clock.setTimeout(tick, 0)
    expect(clock.advance(0)).toBe(3)
    expect(count).toBe(3)
    expect(clock.now()).toBe(0)
  })
})

describe('createFakeClock: clearTimeout and pending', () => {
  it('counts armed timers and ignores unknown or fired handles', () => {
    const clock = createFakeClock()
    const handles = [10, 20, 30, 40].map((delay) => clock.setTimeout(() => {}, delay))
    expect(clock.pending()).toBe(4)
    clock.clearTimeout(handles[1])
    clock.clearTimeout(handles[1])
    expect(clock.pending()).toBe(3)
    expect(clock.advance(10)).toBe(1)
    clock.clearTimeout(handles[0])
    for (const junk of [undefined, null, 'x', {}, -1, 999]) clock.clearTimeout(junk)
    expect(clock.pending()).toBe(2)
    expect(clock.advance(100)).toBe(2)
    expect(clock.pending()).toBe(0)
  })

  it('honours a clear made inside a callback, including of a timer due at the same instant', () => {
    const clock = createFakeClock()
    const log: string[] = []
    const later = clock.setTimeout(() => log.push('later'), 50)
    clock.setTimeout(() => {
      log.push('first')
      clock.clearTimeout(twin)
      clock.clearTimeout(later)
    }, 10)
    const twin = clock.setTimeout(() => log.push('twin'), 10)
    expect(clock.advance(100)).toBe(1)
    expect(log).toEqual(['first'])
    expect(clock.pending()).toBe(0)
  })

  it('keeps heap order through many random arms and clears', () => {
    const clock = createFakeClock()
    let seed = 7
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      return seed / 2_147_483_648
    }
    const armed = new Map<unknown, number>()
    const fired: number[] = []
    for (let i = 0; i < 5_000; i++) {
      const delay = Math.floor(random() * 1_000)
      const handle = clock.setTimeout(() => fired.push(delay), delay)
      armed.set(handle, delay)
    }
    let cleared = 0
    for (const handle of armed.keys()) {
      if (random() < 0.3) {
        clock.clearTimeout(handle)
        cleared++
      }
    }
    expect(clock.pending()).toBe(5_000 - cleared)
    expect(clock.advance(1_000)).toBe(5_000 - cleared)
    expect(fired).toEqual([...fired].sort((a, b) => a - b))
  })
})

describe('createFakeClock: stall', () => {
  it('fires due timers late at the next advance(0), with now() at the stalled time', () => {
    const clock = createFakeClock()
    const seen: Array<[string, number]> = []
    clock.setTimeout(() => seen.push(['a', clock.now()]), 100)
    clock.setTimeout(() => seen.push(['b', clock.now()]), 300)
    clock.setTimeout(() => seen.push(['c', clock.now()]), 900)
    clock.stall(500)
    expect(seen).toEqual([])
    expect(clock.pending()).toBe(3)
    expect(clock.advance(0)).toBe(2)
    expect(seen).toEqual([
      ['a', 500],
      ['b', 500],
    ])
    clock.advance(400)
    expect(seen.at(-1)).toEqual(['c', 900])
  })

  it('lets a callback stall, making the timers after it late', () => {
    const clock = createFakeClock()
    const seen: number[] = []
    clock.setTimeout(() => clock.stall(70), 10)
    clock.setTimeout(() => seen.push(clock.now()), 20)
    clock.setTimeout(() => seen.push(clock.now()), 90)
    clock.advance(50)
    expect(seen).toEqual([80])
    expect(clock.now()).toBe(80)
    clock.advance(10)
    expect(seen).toEqual([80, 90])
  })
})

describe('createFakeClock: misuse', () => {
  it('throws HB_ERR_CONFIG naming a runaway timer instead of looping forever', () => {
    const clock = createFakeClock(0, { maxFiresPerAdvance: 1_000 })
    const runaway = (): void => {
      clock.setTimeout(runaway, 0)
    }
    clock.setTimeout(runaway, 0)
    let error: unknown
    try {
      clock.advance(10)
    } catch (caught) {
      error = caught
    }
    expect(HeartbeatError.isInstance(error)).toBe(true)
    expect((error as HeartbeatError).code).toBe('HB_ERR_CONFIG')
    expect((error as HeartbeatError).message).toContain('"runaway"')
    expect(clock.pending()).toBe(1)
  })

  it('rejects a nested advance and rethrows a callback error, leaving the rest armed', () => {
    const clock = createFakeClock()
    clock.setTimeout(() => clock.advance(1), 5)
    expect(() => clock.advance(10)).toThrowError(/inside a timer callback/)
    clock.setTimeout(() => {
      throw new Error('boom')
    }, 5)
    clock.setTimeout(() => {}, 6)
    expect(() => clock.advance(10)).toThrowError('boom')
    expect(clock.now()).toBe(10)
    expect(clock.pending()).toBe(1)
    expect(clock.advance(10)).toBe(1)
  })
})
