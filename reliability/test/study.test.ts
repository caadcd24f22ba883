import { describe, expect, it } from 'vitest'
import { runCrossCheck } from '../src/study/cross-check.js'
import { networkWithLoss } from '../src/study/network-model.js'
import type { NetworkModel } from '../src/study/network-model.js'
import { createRandom } from '../src/study/random.js'
import { fixedRow, phiRow } from '../src/study/rows.js'
import { simulateExact, simulateRow } from '../src/study/simulate-row.js'

const noPauses = (lossRate: number): NetworkModel => ({
  ...networkWithLoss(lossRate),
  pauses: { perHour: 0, minimumMs: 20, alpha: 1.5, maxMs: 3000 },
})

/** |a − b| within `sigmas` standard deviations of the difference of two Poisson counts scaled to rates. */
function ratesAgree(a: { count: number; hours: number }, b: { count: number; hours: number }, sigmas: number): boolean {
  const rateA = a.count / a.hours
  const rateB = b.count / b.hours
  const sd = Math.sqrt(Math.max(a.count, 1) / a.hours ** 2 + Math.max(b.count, 1) / b.hours ** 2)
  return Math.abs(rateA - rateB) <= sigmas * sd
}

describe('random', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = createRandom(42)
    const b = createRandom(42)
    const values = Array.from({ length: 10_000 }, () => a.next())
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.next()))
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01)
    const geometric = createRandom(7)
    let total = 0
    for (let i = 0; i < 20_000; i++) total += geometric.geometricFailures(0.2)
    expect(total / 20_000).toBeGreaterThan(3.8) // mean (1 − p) / p = 4
    expect(total / 20_000).toBeLessThan(4.2)
  })
})

describe('event skipping matches the beat-by-beat engine', () => {
  it('fixedTimeout 15 s at 5 s beats, 5% loss', () => {
    const config = fixedRow(15_000, 5000)
    const exact = simulateExact(config, networkWithLoss(0.05), 1000, 11)
    const skipped = simulateRow(config, networkWithLoss(0.05), { peerHours: 1e5, maxFalseOfflines: 5000, seed: 12, detectionSamples: 100 })
    expect(exact.falseOfflines).toBeGreaterThan(500)
    expect(ratesAgree({ count: exact.falseOfflines, hours: 1000 }, { count: skipped.falseOfflines, hours: skipped.peerHours }, 4)).toBe(true)
  })

  it('phiAccrual at 1 s beats with no acceptable pause, 1% loss', () => {
    const config = phiRow(1000, 8, 0)
    const exact = simulateExact(config, networkWithLoss(0.01), 50, 13)
    const skipped = simulateRow(config, networkWithLoss(0.01), { peerHours: 1e4, maxFalseOfflines: 3000, seed: 14, detectionSamples: 100 })
    expect(exact.falseOfflines).toBeGreaterThan(1000)
    expect(ratesAgree({ count: exact.falseOfflines, hours: 50 }, { count: skipped.falseOfflines, hours: skipped.peerHours }, 4)).toBe(true)
  })

  it('probes on suspect: false offlines and probe counts', () => {
    const config = fixedRow(15_000, 5000, { count: 1, spacingMs: 1000 })
    const exact = simulateExact(config, networkWithLoss(0.05), 2000, 15)
    const skipped = simulateRow(config, networkWithLoss(0.05), { peerHours: 1e5, maxFalseOfflines: 5000, seed: 16, detectionSamples: 100 })
    expect(ratesAgree({ count: exact.falseOfflines, hours: 2000 }, { count: skipped.falseOfflines, hours: skipped.peerHours }, 4)).toBe(true)
    expect(ratesAgree({ count: exact.probes, hours: 2000 }, { count: skipped.probesPerHour * skipped.peerHours, hours: skipped.peerHours }, 4)).toBe(true)
  })

  it('a long timeout at 0% loss has no false offline and detects within timeout + tick + delay', () => {
    const result = simulateRow(fixedRow(15_000, 15_000 / 6.5), networkWithLoss(0), { peerHours: 1e5, maxFalseOfflines: 10, seed: 17, detectionSamples: 2000 })
    expect(result.falseOfflines).toBe(0)
    expect(result.detection.p99Ms).toBeLessThanOrEqual(15_000 + 100 + 250)
  })
})

describe('the model matches the real monitor and beater', () => {
  it('fixedTimeout 15 s, 5 s beats, 5% loss: createMonitor + createBeater on a fake clock', async () => {
    const config = fixedRow(15_000, 5000)
    const model = noPauses(0.05)
    const real = await runCrossCheck(config, model, { peers: 100, hours: 3, seed: 21 })
    const simulated = simulateRow(config, model, { peerHours: 1e5, maxFalseOfflines: 20_000, seed: 22, detectionSamples: 100 })
    expect(real.falseOfflines).toBeGreaterThan(100)
    expect(ratesAgree({ count: real.falseOfflines, hours: real.peerHours }, { count: simulated.falseOfflines, hours: simulated.peerHours }, 4)).toBe(true)
  })
})
