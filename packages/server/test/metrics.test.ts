/**
 * registerMonitorMetrics on a monitor driven by a fake clock over the memory
 * transport: exact counts, and detection lateness measured on the clock.
 */
import { createBeater, createMonitor } from '@hb/core'
import type { Monitor } from '@hb/core'
import { createFakeClock, createMemoryTransportPair, recordMonitorEvents, settle } from '@hb/core/testing'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { registerMonitorMetrics } from '../src/metrics/register-monitor-metrics.js'

const SECRET = 'metrics-secret'
const TIMEOUT_MS = 1000
const TICK_MS = 20

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

type Values = Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>
async function values(registry: Registry, name: string): Promise<Values> {
  const metrics = await registry.getMetricsAsJSON()
  return (metrics.find((metric) => metric.name === name)?.values ?? []) as Values
}
async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const found = (await values(registry, name)).find((entry) => Object.entries(labels).every(([key, wanted]) => entry.labels[key] === wanted))
  return found?.value
}

async function setup() {
  const clock = createFakeClock(1_000_000)
  const pair = createMemoryTransportPair()
  const monitor: Monitor = createMonitor({ secret: SECRET, clock, timeoutMs: TIMEOUT_MS, tickMs: TICK_MS, transports: [pair.server] })
  cleanup.push(() => monitor.close())
  await monitor.start()
  const registry = new Registry()
  const metrics = registerMonitorMetrics(monitor, registry, { clock, timeoutMs: TIMEOUT_MS })
  cleanup.push(() => metrics.close())
  const recorder = recordMonitorEvents(monitor)
  const beater = createBeater({ id: 'm-1', secret: SECRET, clock, intervalMs: 200, jitter: 0, transport: pair.client })
  return { clock, pair, monitor, registry, metrics, recorder, beater }
}

describe('registerMonitorMetrics', () => {
  it('counts peers, frames by transport and result, and transitions', async () => {
    const { clock, pair, registry, recorder, beater } = await setup()
    const stop = beater.start()
    await recorder.until(() => recorder.events.includes('online m-1'), 'online')
    for (let i = 0; i < 3; i++) {
      clock.advance(200)
      await settle()
    }
    expect(pair.inject(new Uint8Array([1, 2, 3]))).toMatchObject({ accepted: false, reason: 'malformed' })

    expect(await value(registry, 'hb_peers', { state: 'alive', transport: 'memory' })).toBe(1)
    // hello + 3 beats, all accepted.
    expect(await value(registry, 'hb_frames_total', { transport: 'memory', result: 'accepted' })).toBe(4)
    expect(await value(registry, 'hb_frames_total', { transport: 'memory', result: 'malformed' })).toBe(1)
    expect(await value(registry, 'hb_transitions_total', { event: 'online', transport: 'memory' })).toBe(1)

    await stop()
    await recorder.until(() => recorder.events.includes('offline m-1 left'), 'offline left')
    expect(await value(registry, 'hb_transitions_total', { event: 'offline', reason: 'left' })).toBe(1)
    expect(await value(registry, 'hb_peers', { state: 'left', transport: 'memory' })).toBe(1)
    expect(await value(registry, 'hb_peers', { state: 'alive', transport: 'memory' })).toBeUndefined()
  })

  it('measures detection lateness against the deadline, within one tick', async () => {
    const { clock, monitor, registry, recorder, beater } = await setup()
    const stop = beater.start()
    await recorder.until(() => recorder.events.includes('online m-1'), 'online')
    await stop({ bye: false })
    const lastSeen = monitor.get('m-1')!.lastSeenMonotonicMs
    clock.advance(lastSeen + TIMEOUT_MS - clock.now() - 1)
    expect(recorder.events).not.toContain('offline m-1 timeout')
    clock.advance(TICK_MS + 1)
    expect(recorder.events).toContain('offline m-1 timeout')

    const histogram = await values(registry, 'hb_detection_lateness_seconds')
    const count = histogram.find((entry) => entry.metricName === 'hb_detection_lateness_seconds_count')?.value
    const sum = histogram.find((entry) => entry.metricName === 'hb_detection_lateness_seconds_sum')?.value
    expect(count).toBe(1)
    expect(sum).toBeGreaterThanOrEqual(0)
    expect(sum).toBeLessThanOrEqual(TICK_MS / 1000)
  })

  it('reports local-health guard activations and RTTs, and removes everything on close', async () => {
    const { clock, monitor, registry, recorder, beater, metrics } = await setup()
    const stop = beater.start()
    await recorder.until(() => recorder.events.includes('online m-1'), 'online')
    for (let i = 0; i < 4; i++) {
      clock.advance(200)
      await settle()
    }
    // The monitor's own loop is blocked past the peer's deadline (and the RTT sampler's
    // first run): the guard postpones the deadline.
    await stop({ bye: false })
    clock.stall(10_000)
    clock.advance(0)
    expect(monitor.stats().guarded).toBeGreaterThan(0)
    expect(await value(registry, 'hb_guarded_deadlines_total')).toBe(monitor.stats().guarded)
    expect(recorder.events).not.toContain('offline m-1 timeout')

    // The RTT sampler ran once (10 s default) while the peer was alive and had reported an RTT.
    expect(monitor.get('m-1')?.rttMs).toBeGreaterThanOrEqual(0)
    const rtt = async (name: string) => (await values(registry, 'hb_peer_rtt_seconds')).find((entry) => entry.metricName === name)?.value
    expect(await rtt('hb_peer_rtt_seconds_count')).toBe(1)
    expect(await rtt('hb_peer_rtt_seconds_count')).toBe(1)
    expect((await registry.getMetricsAsJSON()).map((metric) => metric.name)).toContain('hb_event_loop_lag_seconds')

    metrics.close()
    expect(await registry.getMetricsAsJSON()).toEqual([])
  })

  it('labels frames with their transport, from the monitor\'s own counts, with no wrapper around the transports', async () => {
    const clock = createFakeClock(0)
    const pair = createMemoryTransportPair()
    const monitor = createMonitor({ secret: SECRET, clock, timeoutMs: TIMEOUT_MS, transports: [pair.server] })
    cleanup.push(() => monitor.close())
    await monitor.start()
    const registry = new Registry()
    cleanup.push(registerMonitorMetrics(monitor, registry, { clock, eventLoopLag: false }).close)
    const recorder = recordMonitorEvents(monitor)
    cleanup.push(createBeater({ id: 'm-2', secret: SECRET, clock, transport: pair.client }).start())
    await recorder.until(() => recorder.events.includes('online m-2'), 'online')
    expect(await value(registry, 'hb_frames_total', { transport: 'memory', result: 'accepted' })).toBe(1)
    expect((await registry.getMetricsAsJSON()).map((metric) => metric.name)).not.toContain('hb_detection_lateness_seconds')
  })
})
