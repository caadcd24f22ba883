import { describe, expect, it } from 'vitest'
import { isDetector } from '../src/liveness/detector.js'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { fixedTimeout, type FixedTimeoutOptions } from '../src/liveness/fixed-timeout.js'
import { phiAccrual } from '../src/liveness/phi-accrual.js'

const empty = new Float64Array(0)

describe('fixedTimeout: deadlines', () => {
  it.each([
    // options                                         last    suspectAt   deadAt
    { options: { timeoutMs: 15_000 }, last: 0, suspectAt: Infinity, deadAt: 15_000 },
    { options: { timeoutMs: 15_000 }, last: 1234.5, suspectAt: Infinity, deadAt: 16_234.5 },
    { options: { timeoutMs: 15_000, suspectAfterMs: 5_000 }, last: 0, suspectAt: 5_000, deadAt: 15_000 },
    { options: { timeoutMs: 15_000, suspectAfterMs: 14_999 }, last: 100, suspectAt: 15_099, deadAt: 15_100 },
    { options: { timeoutMs: 1, suspectAfterMs: 0.5 }, last: 10, suspectAt: 10.5, deadAt: 11 },
    { options: { timeoutMs: 0.25 }, last: 1e12, suspectAt: Infinity, deadAt: 1e12 + 0.25 },
  ])('$options from $last → suspect $suspectAt, dead $deadAt', ({ options, last, suspectAt, deadAt }) => {
    const detector = fixedTimeout(options)
    expect(detector.kind).toBe('fixed-timeout')
    expect(detector.stateSlots).toBe(0)
    detector.reset(empty, 0, last, 500)
    detector.observe(empty, 0, last - 1000, last)
    expect(detector.suspectAt(empty, 0, last)).toBe(suspectAt)
    expect(detector.deadAt(empty, 0, last)).toBe(deadAt)
    if (Number.isFinite(suspectAt)) expect(suspectAt).toBeLessThan(deadAt)
  })

  it('deadlines ignore the history: only the last beat counts', () => {
    const detector = fixedTimeout({ timeoutMs: 3000, suspectAfterMs: 1000 })
    for (let t = 0; t < 10_000; t += 137) detector.observe(empty, 0, t - 137, t)
    expect(detector.deadAt(empty, 0, 50_000)).toBe(53_000)
    expect(detector.suspectAt(empty, 0, 50_000)).toBe(51_000)
  })

  it('suspicion is elapsed / timeoutMs, 0 before the last beat', () => {
    const detector = fixedTimeout({ timeoutMs: 2000 })
    expect(detector.suspicion(empty, 0, 1000, 1000)).toBe(0)
    expect(detector.suspicion(empty, 0, 1000, 2000)).toBe(0.5)
    expect(detector.suspicion(empty, 0, 1000, 2999)).toBe(0.9995)
    expect(detector.suspicion(empty, 0, 1000, 3000)).toBe(1)
    expect(detector.suspicion(empty, 0, 1000, 5000)).toBe(2)
    expect(detector.suspicion(empty, 0, 1000, 900)).toBe(0)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(fixedTimeout({ timeoutMs: 1 }))).toBe(true)
  })
})

describe('fixedTimeout: validation', () => {
  it.each<[string, unknown]>([
    ['no options', undefined],
    ['null', null],
    ['no timeoutMs', {}],
    ['timeoutMs 0', { timeoutMs: 0 }],
    ['timeoutMs negative', { timeoutMs: -5 }],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }],
    ['timeoutMs Infinity', { timeoutMs: Infinity }],
    ['timeoutMs a string', { timeoutMs: '1000' }],
    ['suspectAfterMs 0', { timeoutMs: 1000, suspectAfterMs: 0 }],
    ['suspectAfterMs negative', { timeoutMs: 1000, suspectAfterMs: -1 }],
    ['suspectAfterMs = timeoutMs', { timeoutMs: 1000, suspectAfterMs: 1000 }],
    ['suspectAfterMs > timeoutMs', { timeoutMs: 1000, suspectAfterMs: 2000 }],
    ['suspectAfterMs NaN', { timeoutMs: 1000, suspectAfterMs: Number.NaN }],
    ['suspectAfterMs a string', { timeoutMs: 1000, suspectAfterMs: '5' }],
  ])('%s → HB_ERR_CONFIG', (_name, options) => {
    let caught: unknown
    try {
      fixedTimeout(options as FixedTimeoutOptions)
    } catch (error) {
      caught = error
    }
    expect(HeartbeatError.isInstance(caught)).toBe(true)
    expect((caught as HeartbeatError).code).toBe('HB_ERR_CONFIG')
  })
})

describe('isDetector', () => {
  it('accepts both built-in detectors and a hand-written one', () => {
    expect(isDetector(fixedTimeout({ timeoutMs: 1000 }))).toBe(true)
    expect(isDetector(phiAccrual())).toBe(true)
    const own = {
      kind: 'mine',
      stateSlots: 1,
      reset() {},
      observe() {},
      suspectAt: () => Infinity,
      deadAt: () => 0,
      suspicion: () => 0,
    }
    expect(isDetector(own)).toBe(true)
  })

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 5],
    ['options', { timeoutMs: 1000 }],
    ['no kind', { ...fixedTimeout({ timeoutMs: 1 }), kind: undefined }],
    ['negative slots', { ...fixedTimeout({ timeoutMs: 1 }), stateSlots: -1 }],
    ['fractional slots', { ...fixedTimeout({ timeoutMs: 1 }), stateSlots: 1.5 }],
    ['missing deadAt', { ...fixedTimeout({ timeoutMs: 1 }), deadAt: undefined }],
    ['suspicion not a function', { ...fixedTimeout({ timeoutMs: 1 }), suspicion: 1 }],
  ])('rejects %s', (_name, value) => {
    expect(isDetector(value)).toBe(false)
  })
})
