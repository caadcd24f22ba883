/**
 * The study's recommended rows are what hb ships: a beater given no interval
 * beats at the monitor's timeout / 6.5 and asks for an ack every 3rd beat
 * (the packets column), and `phiAccrual()` without options is the
 * "φ 8, acceptable pause 3 s" row. If a default moves, RELIABILITY.md's
 * table no longer describes it and this fails.
 */
import { describe, expect, it } from 'vitest'
import { createBeater, createMonitor, phiAccrual } from '@hb/core'
import type { Detector } from '@hb/core'
import { createFakeClock, createMemoryTransportPair, settle } from '@hb/core/testing'
import { fixedRow, phiRow } from '../src/study/rows.js'

const SECRET = 'reliability-defaults-secret-0123456789'

async function paceAgainst(timeoutMs: number): Promise<{ intervalMs: number; sent: number; acked: number }> {
  const clock = createFakeClock(0)
  const pair = createMemoryTransportPair({ kind: 'datagram' })
  const monitor = createMonitor({ secret: SECRET, clock, timeoutMs, transports: [pair.server] })
  await monitor.start()
  const beater = createBeater({ id: 'paced', secret: SECRET, clock, transport: pair.createClient() })
  const stop = beater.start()
  // Ten minutes in 100 ms steps, letting each step's frames and acks be delivered.
  for (let step = 0; step < 6000; step++) {
    clock.advance(100)
    await settle()
  }
  const { sent, acked } = beater.stats()
  const intervalMs = beater.intervalMs
  await stop({ bye: false })
  await monitor.close()
  return { intervalMs, sent, acked }
}

describe('the defaults the study recommends are the defaults', () => {
  it.each([15_000, 30_000])('a beater without intervalMs beats at timeout / 6.5 of a %i ms monitor, acked every 3rd beat', async (timeoutMs) => {
    const { intervalMs, sent, acked } = await paceAgainst(timeoutMs)
    expect(intervalMs).toBe(Math.round(fixedRow(timeoutMs, timeoutMs / 6.5).intervalMs))
    // 10 minutes at that pace, ±5% jitter; the hello and the first beats before the first ack go at 2308 ms.
    expect(sent).toBeGreaterThan((600_000 / intervalMs) * 0.9)
    expect(sent).toBeLessThan((600_000 / intervalMs) * 1.1 + 2)
    // No loss: one requested ack per 3 beats (the hello is acked too).
    expect(acked / sent).toBeGreaterThan(0.3)
    expect(acked / sent).toBeLessThan(0.37)
  })

  it('phiAccrual() is the study row φ 8, acceptable pause 3 s, and not the old pause 0', () => {
    const deadlines = (detector: Detector): number[] => {
      const state = new Float64Array(detector.stateSlots)
      detector.reset(state, 0, 0, undefined)
      const out: number[] = []
      // A steady 1 s beat with a little wobble, so the variance is not the bootstrap's.
      let last = 0
      for (let i = 1; i <= 50; i++) {
        const now = last + 1000 + ((i * 37) % 11) * 10 - 50
        detector.observe(state, 0, last, now)
        last = now
        out.push(detector.deadAt(state, 0, last))
      }
      return out
    }
    const shipped = deadlines(phiAccrual())
    expect(shipped).toEqual(deadlines(phiRow(1000, 8, 3000).detector))
    expect(shipped).not.toEqual(deadlines(phiRow(1000, 8, 0).detector))
  })
})
