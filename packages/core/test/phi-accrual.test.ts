import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { phiAccrual, type PhiAccrualOptions } from '../src/liveness/phi-accrual.js'

// The reference φ, straight from the published formula (Akka/Cassandra's
// logistic approximation of the normal CDF), independent of the detector.
function referencePhi(elapsedMs: number, meanMs: number, stdDevMs: number, acceptablePauseMs = 0): number {
  const y = (elapsedMs - meanMs - acceptablePauseMs) / stdDevMs
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y))
  // 1 − F(y) = 1 − 1/(1 + e) = e/(1 + e), written this way to keep digits when F is near 1.
  return -Math.log10(e / (1 + e))
}

/** y with referencePhi(y) = threshold, by bisection (not the detector's closed form). */
function bisectY(threshold: number): number {
  let lo = -100
  let hi = 100
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2
    if (referencePhi(mid, 0, 1) < threshold) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected)

/** Slots equal to `expected` within 1e-12 relative (sums of squares round in the last bit). */
function expectSlots(state: Float64Array, expected: number[]) {
  expect(state).toHaveLength(expected.length)
  expected.forEach((value, i) => expect(relative(state[i]!, value)).toBeLessThan(1e-12))
}

/**
 * A single peer at offset 0, reset at t = 0 and fed the given intervals; returns the last beat's time.
 * The formula tests read simplest with no acceptable pause, so it is 0 unless given (the default is 3000).
 */
function feed(options: PhiAccrualOptions, intervalsMs: readonly number[], hintMs?: number) {
  return feedExactly({ acceptablePauseMs: 0, ...options }, intervalsMs, hintMs)
}

/** As `feed`, with exactly these options (defaults where absent). */
function feedExactly(options: PhiAccrualOptions, intervalsMs: readonly number[], hintMs?: number) {
  const detector = phiAccrual(options)
  const state = new Float64Array(detector.stateSlots)
  detector.reset(state, 0, 0, hintMs)
  let last = 0
  for (const interval of intervalsMs) {
    detector.observe(state, 0, last, last + interval)
    last += interval
  }
  return { detector, state, last }
}

interface Vector {
  name: string
  options: PhiAccrualOptions
  intervalsMs: number[]
  count: number
  meanMs: number
  varianceMs2: number
  stdDevMs: number
  deadAtMinusLastMs: number
  suspectAtMinusLastMs: number
}
const { vectors } = JSON.parse(readFileSync(new URL('./fixtures/phi.json', import.meta.url), 'utf8')) as {
  vectors: Vector[]
}

describe('phiAccrual: test vectors (fixtures/phi.json)', () => {
  it('has the four vectors of PROTOCOL.md §8', () => {
    expect(vectors).toHaveLength(4)
  })

  it.each(vectors)('$name', (vector) => {
    const { detector, state, last } = feedExactly(vector.options, vector.intervalsMs)
    // Slots: count, mean, variance (documented layout).
    expect(state[0]).toBe(vector.count)
    expect(relative(state[1]!, vector.meanMs)).toBeLessThan(1e-12)
    expect(relative(state[2]!, vector.varianceMs2)).toBeLessThan(1e-12)
    expect(relative(Math.max(Math.sqrt(state[2]!), vector.options.minStdDevMs ?? 100), vector.stdDevMs)).toBeLessThan(1e-12)
    expect(relative(detector.deadAt(state, 0, last) - last, vector.deadAtMinusLastMs)).toBeLessThan(1e-9)
    expect(relative(detector.suspectAt(state, 0, last) - last, vector.suspectAtMinusLastMs)).toBeLessThan(1e-9)
  })
})

describe('phiAccrual: φ', () => {
  it('matches the formula for a hand-computed estimate', () => {
    // Bootstrap: one pseudo-interval of 1000 ms with variance 250² = 62500, count 1.
    // +1100: n=2, δ=100,  mean 1050, var = ½(62500 + ½·100²)      = 33750
    // + 900: n=3, δ=−150, mean 1000, var = ⅔(33750 + ⅓·150²)      = 27500
    // +1000: n=4, δ=0,    mean 1000, var = ¾·27500                = 20625
    const { detector, state, last } = feed({}, [1100, 900, 1000])
    const mean = 1000
    const stdDev = Math.sqrt(20625) // 143.61…, above the 100 ms floor
    for (const elapsed of [700, 900, 1000, 1100, 1250, 1400, 1600, 1750, 2000]) {
      const phi = detector.suspicion(state, 0, last, last + elapsed)
      expect(relative(phi, referencePhi(elapsed, mean, stdDev))).toBeLessThan(1e-9)
    }
  })

  it('uses the bootstrap (σ = estimate / 4) before any interval, and a hello hint over firstIntervalMs', () => {
    const plain = feed({ firstIntervalMs: 1000 }, [])
    const hinted = feed({ firstIntervalMs: 1000 }, [], 2000)
    for (const elapsed of [800, 1000, 1500, 2500]) {
      expect(relative(plain.detector.suspicion(plain.state, 0, 0, elapsed), referencePhi(elapsed, 1000, 250))).toBeLessThan(1e-9)
      expect(relative(hinted.detector.suspicion(hinted.state, 0, 0, elapsed + 1000), referencePhi(elapsed + 1000, 2000, 500))).toBeLessThan(1e-9)
    }
  })

  it('ignores an unusable hint', () => {
    for (const hint of [0, -5, Number.NaN, Infinity]) {
      const { state } = feed({ firstIntervalMs: 700 }, [], hint)
      expect(Array.from(state)).toEqual([1, 700, 175 * 175])
    }
  })

  it('adds acceptablePauseMs to the mean and floors σ at minStdDevMs', () => {
    const { detector, state, last } = feed({ acceptablePauseMs: 3000, minStdDevMs: 300 }, [1100, 900, 1000])
    for (const elapsed of [3500, 4000, 4500]) {
      expect(relative(detector.suspicion(state, 0, last, last + elapsed), referencePhi(elapsed, 1000, 300, 3000))).toBeLessThan(1e-9)
    }
  })

  it('is monotone in the elapsed time', () => {
    const { detector, state, last } = feed({}, [1100, 900, 1000])
    let previous = -1
    for (let elapsed = 0; elapsed <= 20_000; elapsed += 3) {
      const phi = detector.suspicion(state, 0, last, last + elapsed)
      expect(phi).toBeGreaterThanOrEqual(previous)
      previous = phi
    }
    expect(detector.suspicion(state, 0, last, last + 1500)).toBeGreaterThan(detector.suspicion(state, 0, last, last + 1400))
    expect(Number.isFinite(detector.suspicion(state, 0, last, last + 1e9))).toBe(true)
  })
})

describe('phiAccrual: closed-form deadlines', () => {
  const thresholds = [0.001, 0.1, 0.3, 0.5, 1, 2, 4, 8, 12, 16, 30, 100, 1000, 1e6]

  it.each(thresholds)('φ(deadAt − last) = threshold %d, φ(suspectAt − last) = threshold / 2', (threshold) => {
    const { detector, state, last } = feed({ threshold, acceptablePauseMs: 250 }, [1100, 900, 1000, 1300, 700])
    const deadAt = detector.deadAt(state, 0, last)
    const suspectAt = detector.suspectAt(state, 0, last)
    expect(Number.isFinite(deadAt)).toBe(true)
    expect(suspectAt).toBeLessThan(deadAt)
    expect(relative(detector.suspicion(state, 0, last, deadAt), threshold)).toBeLessThan(1e-9)
    expect(relative(detector.suspicion(state, 0, last, suspectAt), threshold / 2)).toBeLessThan(1e-9)
  })

  it('agrees with bisection on the reference φ', () => {
    const { detector, state, last } = feed({ threshold: 8, suspectThreshold: 3 }, [1100, 900, 1000])
    const stdDev = Math.sqrt(20625)
    expect(detector.deadAt(state, 0, last) - last).toBeCloseTo(1000 + stdDev * bisectY(8), 6)
    expect(detector.suspectAt(state, 0, last) - last).toBeCloseTo(1000 + stdDev * bisectY(3), 6)
  })

  it('is measured from the last beat, wherever it is', () => {
    const { detector, state } = feed({}, [1100, 900, 1000])
    const span = detector.deadAt(state, 0, 0)
    expect(detector.deadAt(state, 0, 5_000_000) - 5_000_000).toBeCloseTo(span, 6)
  })

  it('steady beats converge to mean + minStdDevMs · y(threshold)', () => {
    const { detector, state, last } = feed({}, Array.from({ length: 200 }, () => 1000))
    expect(state[1]).toBe(1000)
    expect(Math.sqrt(state[2]!)).toBeLessThan(100) // 250/√201 ≈ 17.6, so the floor applies
    expect(detector.deadAt(state, 0, last) - last).toBeCloseTo(1000 + 100 * bisectY(8), 6)
    expect(detector.suspectAt(state, 0, last) - last).toBeCloseTo(1000 + 100 * bisectY(4), 6)
  })

  it('jittery beats widen the deadline', () => {
    const steady = feed({}, Array.from({ length: 200 }, () => 1000))
    const jittery = feed({}, Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 800 : 1200)))
    const steadySpan = steady.detector.deadAt(steady.state, 0, steady.last) - steady.last
    const jitterySpan = jittery.detector.deadAt(jittery.state, 0, jittery.last) - jittery.last
    expect(jitterySpan).toBeGreaterThan(steadySpan + 400)
    // 200 alternating ±200 ms deviations dominate the bootstrap: σ → ≈ 200.
    const stdDev = Math.sqrt(jittery.state[2]!)
    expect(stdDev).toBeGreaterThan(195)
    expect(stdDev).toBeLessThan(205)
    expect(jitterySpan).toBeCloseTo(jittery.state[1]! + stdDev * bisectY(8), 6)
  })

  it('caps both deadlines at maxTimeoutMs', () => {
    const capped = feed({ maxTimeoutMs: 1200 }, Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 500 : 1500)))
    expect(capped.detector.deadAt(capped.state, 0, capped.last) - capped.last).toBe(1200)
    expect(capped.detector.suspectAt(capped.state, 0, capped.last) - capped.last).toBe(1200)
    const loose = feed({ maxTimeoutMs: 1e6 }, [1100, 900, 1000])
    expect(loose.detector.deadAt(loose.state, 0, loose.last) - loose.last).toBeCloseTo(1750.525191674163, 6)
  })

  it('never puts a deadline before the last beat', () => {
    // A tiny threshold at tiny intervals would give μ + σ·y < 0.
    const { detector, state, last } = feed({ threshold: 0.01, minStdDevMs: 500 }, [10, 10, 10])
    expect(detector.suspectAt(state, 0, last)).toBe(last)
    expect(detector.deadAt(state, 0, last)).toBe(last)
  })
})

describe('phiAccrual: estimator', () => {
  it('after maxSampleSize, the exponential average adapts to a new interval', () => {
    const intervals = [...Array.from({ length: 100 }, () => 1000), ...Array.from({ length: 100 }, () => 2000)]
    const ewma = feed({ maxSampleSize: 10 }, intervals)
    // Equal weights until count 10 (all at 1000 ms), then 100 steps of weight 1/10 toward 2000.
    expect(ewma.state[0]).toBe(201)
    expect(ewma.state[1]).toBeCloseTo(2000 - 1000 * 0.9 ** 100, 9)
    const span = ewma.detector.deadAt(ewma.state, 0, ewma.last) - ewma.last
    expect(span).toBeGreaterThan(2000)
    expect(span).toBeLessThan(2000 + 100 * bisectY(8) + 1)

    // With equal weights throughout it would still be the plain average.
    const welford = feed({ maxSampleSize: 1000 }, intervals)
    expect(welford.state[1]).toBeCloseTo((1000 + 100 * 1000 + 100 * 2000) / 201, 9)
  })

  it('the switch to the exponential average has no seam', () => {
    // The bootstrap is sample 1, so with maxSampleSize 4 the first three intervals
    // (counts 2, 3, 4) get Welford's weights 1/2, 1/3, 1/4, exactly as with 1000…
    const series = [1300, 700, 1100]
    const four = feed({ maxSampleSize: 4 }, series)
    const many = feed({ maxSampleSize: 1000 }, series)
    expect(Array.from(four.state)).toEqual(Array.from(many.state))
    // By hand: points 1000 (bootstrap, variance 62500), 1300, 700, 1100 → mean 1025,
    // variance (62500 + 25² + 275² + 325² + 75²) / 4 = 62500.
    expectSlots(four.state, [4, 1025, 62500])
    // …and from then on the weight stays at 1/4: mean += δ/4, variance = ¾(variance + δ²/4).
    four.detector.observe(four.state, 0, four.last, four.last + 625) // δ = −400
    expectSlots(four.state, [5, 925, 0.75 * (62500 + 40000)])
    many.detector.observe(many.state, 0, many.last, many.last + 625) // Welford: weight 1/5
    expectSlots(many.state, [5, 945, 0.8 * (62500 + 32000)])
  })

  it('maxSampleSize 1 tracks the last interval only', () => {
    const { state } = feed({ maxSampleSize: 1 }, [1000, 3000])
    expect(state[1]).toBe(3000)
    expect(state[2]).toBe(0)
  })

  it('drops impossible intervals (negative, NaN, infinite)', () => {
    const { detector, state } = feed({}, [1100, 900])
    const before = Array.from(state)
    detector.observe(state, 0, 5000, 4000)
    detector.observe(state, 0, Number.NaN, 4000)
    detector.observe(state, 0, -Infinity, 4000)
    expect(Array.from(state)).toEqual(before)
    detector.observe(state, 0, 4000, 4000) // a zero interval is a real measurement
    expect(state[0]).toBe(before[0]! + 1)
  })
})

describe('phiAccrual: state layout', () => {
  it('uses exactly stateSlots numbers per peer at its offset', () => {
    const detector = phiAccrual()
    expect(detector.kind).toBe('phi-accrual')
    expect(detector.stateSlots).toBe(3)
    const slots = detector.stateSlots
    const sentinel = -12345
    // [guard][peer a: 3][peer b: 3][guard]
    const shared = new Float64Array(2 + 2 * slots).fill(sentinel)
    const a = 1
    const b = 1 + slots
    detector.reset(shared, a, 0, 1000)
    detector.reset(shared, b, 0, 250)
    let lastA = 0
    let lastB = 0
    for (let i = 0; i < 50; i++) {
      const intervalA = i % 3 === 0 ? 1400 : 900
      detector.observe(shared, a, lastA, lastA + intervalA)
      lastA += intervalA
      detector.observe(shared, b, lastB, lastB + 250)
      lastB += 250
    }
    expect(shared[0]).toBe(sentinel)
    expect(shared[shared.length - 1]).toBe(sentinel)

    const soloA = feedExactly({}, Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1400 : 900)), 1000)
    const soloB = feedExactly({}, Array.from({ length: 50 }, () => 250), 250)
    expect(Array.from(shared.subarray(a, a + slots))).toEqual(Array.from(soloA.state))
    expect(Array.from(shared.subarray(b, b + slots))).toEqual(Array.from(soloB.state))
    expect(detector.deadAt(shared, a, lastA)).toBe(soloA.detector.deadAt(soloA.state, 0, soloA.last))
    expect(detector.deadAt(shared, b, lastB)).toBe(soloB.detector.deadAt(soloB.state, 0, soloB.last))
    expect(detector.deadAt(shared, a, 0)).not.toBe(detector.deadAt(shared, b, 0))

    // Resetting one peer leaves the other alone.
    detector.reset(shared, a, lastA, undefined)
    expect(Array.from(shared.subarray(b, b + slots))).toEqual(Array.from(soloB.state))
    expect(shared[0]).toBe(sentinel)
    expect(shared[shared.length - 1]).toBe(sentinel)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(phiAccrual())).toBe(true)
  })
})

describe('phiAccrual: validation', () => {
  it.each<[string, unknown]>([
    ['options null', null],
    ['threshold 0', { threshold: 0 }],
    ['threshold negative', { threshold: -1 }],
    ['threshold NaN', { threshold: Number.NaN }],
    ['threshold Infinity', { threshold: Infinity }],
    ['suspectThreshold = threshold', { threshold: 8, suspectThreshold: 8 }],
    ['suspectThreshold > threshold', { threshold: 8, suspectThreshold: 9 }],
    ['suspectThreshold 0', { suspectThreshold: 0 }],
    ['suspectThreshold above the default threshold', { suspectThreshold: 10 }],
    ['minStdDevMs 0', { minStdDevMs: 0 }],
    ['minStdDevMs negative', { minStdDevMs: -100 }],
    ['acceptablePauseMs negative', { acceptablePauseMs: -1 }],
    ['acceptablePauseMs Infinity', { acceptablePauseMs: Infinity }],
    ['firstIntervalMs 0', { firstIntervalMs: 0 }],
    ['firstIntervalMs a string', { firstIntervalMs: '1000' }],
    ['maxSampleSize 0', { maxSampleSize: 0 }],
    ['maxSampleSize fractional', { maxSampleSize: 2.5 }],
    ['maxTimeoutMs 0', { maxTimeoutMs: 0 }],
    ['maxTimeoutMs Infinity', { maxTimeoutMs: Infinity }],
  ])('%s → HB_ERR_CONFIG', (_name, options) => {
    let caught: unknown
    try {
      phiAccrual(options as PhiAccrualOptions)
    } catch (error) {
      caught = error
    }
    expect(HeartbeatError.isInstance(caught)).toBe(true)
    expect((caught as HeartbeatError).code).toBe('HB_ERR_CONFIG')
  })

  it('accepts the defaults and a full set of options', () => {
    expect(() => phiAccrual()).not.toThrow()
    expect(() =>
      phiAccrual({
        threshold: 10,
        suspectThreshold: 2,
        minStdDevMs: 50,
        acceptablePauseMs: 0,
        firstIntervalMs: 5000,
        maxSampleSize: 1,
        maxTimeoutMs: 60_000,
      }),
    ).not.toThrow()
  })
})
