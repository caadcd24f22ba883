/**
 * FIXED BEHAVIOUR (issue 15, fix 1): a frame captured before the monitor
 * (re)started is rejected on every transport, and an honest peer is back
 * online within one interval plus one round trip. Fails on hb before the fix:
 * a fresh monitor checked an unknown peer's frame for freshness only.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createBeater, systemClock } from '@hb/core'
import type { Clock } from '@hb/core'
import { createUdpClient, createUdpServer } from '@hb/udp'
import { SECRET, captureFrames } from './support/frames.js'
import { createCleanup, startMonitor } from './support/monitor-harness.js'
import { rawTransports, startAllTransports } from './support/raw-transports.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

/**
 * The first monitor's clock: real time, but a wall clock 5 s behind, so that
 * it started (by its own wall clock) before the captured frames were stamped,
 * as a monitor that had been running for a while. A monitor refuses frames
 * stamped before it started (PROTOCOL.md §6.2, rule 2), so without this the
 * first monitor would refuse the captured hello too.
 */
const startedEarlier: Clock = {
  now: () => systemClock.now(),
  wallNow: () => systemClock.wallNow() - 5000,
  setTimeout: (callback, delayMs) => systemClock.setTimeout(callback, delayMs),
  clearTimeout: (handle) => systemClock.clearTimeout(handle),
}

describe.each(rawTransports)('replay across a monitor restart over %s', (transport) => {
  it('frames captured before the monitor started are rejected; the peer stays unknown', async () => {
    const id = `restart-${transport}`
    // Captured from a previous monitor's traffic: stamped 2 s before this monitor exists.
    const frames = await captureFrames(id, 3, { wallStartMs: Date.now() - 2000 })
    const before = await startAllTransports({ timeoutMs: 60_000, clock: startedEarlier })
    await before.send(transport, frames[0]!)
    await before.waiter.until(() => before.online.includes(id), 5000, 'online at the first monitor')
    await before.close()

    const after = await startAllTransports({ timeoutMs: 60_000 })
    cleanup.add(() => after.close())
    for (const frame of frames) await after.send(transport, frame)
    await after.waiter.until(() => after.rejected.length === frames.length, 5000, 'every captured frame rejected')
    // Stamped before the new monitor started: stale (§6.2 rule 2), not a new peer.
    expect(after.rejectedCount('stale')).toBe(frames.length)
    expect(after.online).toEqual([])
    expect(after.monitor.size).toBe(0)
  })
})

describe('an honest peer across a monitor restart (udp)', () => {
  it('is back online within two beats of the new monitor starting', async () => {
    const server = createUdpServer({ host: '127.0.0.1', port: 0 })
    const first = await startMonitor({ transports: [server], timeoutMs: 2000 })
    const port = server.address()!.port
    const beater = createBeater({ id: 'honest', secret: SECRET, intervalMs: 100, transport: createUdpClient({ host: '127.0.0.1', port }) })
    const stop = beater.start()
    cleanup.add(() => stop({ bye: false }))
    await first.waiter.until(() => first.online.includes('honest'), 5000, 'online at the first monitor')
    await first.monitor.close()
    const second = await startMonitor({ transports: [createUdpServer({ host: '127.0.0.1', port })], timeoutMs: 2000 })
    cleanup.add(() => second.monitor.close())
    const sentAtStart = beater.stats().sent
    await second.waiter.until(() => second.online.includes('honest'), 10_000, 'online at the restarted monitor')
    // One interval plus one round trip: the first beat after the restart, or the one after an ack.
    expect(beater.stats().sent - sentAtStart).toBeLessThanOrEqual(2)
  })
})
