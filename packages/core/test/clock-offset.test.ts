import { describe, expect, it } from 'vitest'
import { nextClockOffset } from '../src/beater/clock-offset.js'

describe('nextClockOffset', () => {
  it('takes the first estimate as is, assuming the ack was made halfway through the round trip', () => {
    // Sent at local 1000, received at local 1100 (rtt 100); the monitor stamped 6050: it is 5000 ahead.
    expect(nextClockOffset(undefined, { timestampMs: 6050 }, 1100, 100)).toBe(5000)
  })

  it('smooths later estimates', () => {
    expect(nextClockOffset(5000, { timestampMs: 6090 }, 1100, 100)).toBe(5010)
  })

  it('replaces the offset at once on a clock-correction ack', () => {
    expect(nextClockOffset(5000, { timestampMs: 100_050, clockCorrection: true }, 1100, 100)).toBe(99_000)
  })

  it('handles a monitor behind this machine (a negative offset)', () => {
    expect(nextClockOffset(undefined, { timestampMs: 500 }, 1100, 0)).toBe(-600)
  })
})
