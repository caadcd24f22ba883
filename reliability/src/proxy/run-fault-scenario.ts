/**
 * One fault scenario on real sockets: a monitor on 127.0.0.1, beaters that
 * reach it only through the fault proxy, a measurement window with the fault
 * applied, then every beater crashes (stops without bye) to measure
 * detection. Real timers with short intervals (beat 100 ms, timeout 1 s);
 * every wait has a deadline; everything is closed at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createBeater, createMonitor } from '@hb/core'
import type { Beater, Monitor } from '@hb/core'
import { createTcpClient, createTcpServer } from '@hb/tcp'
import { createUdpClient, createUdpServer } from '@hb/udp'
import type { FaultStats } from './faults.js'
import type { FaultScenario } from './fault-scenarios.js'
import { createTcpFaultProxy } from './tcp-fault-proxy.js'
import type { TcpFaultProxy } from './tcp-fault-proxy.js'
import { createUdpFaultProxy } from './udp-fault-proxy.js'
import type { FaultProxy } from './udp-fault-proxy.js'
import { createEventWaiter } from '../support/wait-for.js'

export const SCENARIO_TIMEOUT_MS = 1000
export const SCENARIO_INTERVAL_MS = 100

export interface ScenarioOptions {
  readonly peers: number
  /** Length of the measurement window, ms. */
  readonly windowMs: number
  readonly seed: number
}

export interface ScenarioResult {
  readonly scenario: string
  readonly transport: string
  readonly peers: number
  readonly windowMs: number
  /** `offline` events during the window while no beater had stopped (partition excluded). */
  readonly falseOfflines: number
  /** During a partition: peers that went offline, and how long until all were back after heal. */
  readonly partitionOfflines: number | undefined
  readonly recoveryMs: number | undefined
  readonly rejected: Record<string, number>
  readonly proxy: FaultStats
  /** Crash (stop without bye) to `offline`, ms: mean and max over the peers. */
  readonly detectionMeanMs: number
  readonly detectionMaxMs: number
  /** Peers ever tracked: must equal `peers` (no phantom peer from duplicated or reordered frames). */
  readonly size: number
}

const secret = 'reliability-fault-suite-secret-0123456789'

export async function runFaultScenario(scenario: FaultScenario, options: ScenarioOptions): Promise<ScenarioResult> {
  const server = scenario.transport === 'udp' ? createUdpServer({ host: '127.0.0.1', port: 0 }) : createTcpServer({ host: '127.0.0.1', port: 0 })
  const monitor: Monitor = createMonitor({ secret, timeoutMs: SCENARIO_TIMEOUT_MS, transports: [server] })
  const beaters: Beater[] = []
  const stops: ((options?: { bye?: boolean }) => Promise<void>)[] = []
  let proxy: FaultProxy | undefined
  let tcpProxy: TcpFaultProxy | undefined
  try {
    await monitor.start()
    const target = { host: '127.0.0.1', port: server.address()!.port }
    if (scenario.transport === 'tcp') proxy = tcpProxy = await createTcpFaultProxy({ target, seed: options.seed })
    else proxy = await createUdpFaultProxy({ target, seed: options.seed })
    const online = new Set<string>()
    const offlineAt = new Map<string, number>()
    let phase: 'warm-up' | 'window' | 'partition' | 'recovery' | 'crash' = 'warm-up'
    let falseOfflines = 0
    let partitionOfflines = 0
    const rejected: Record<string, number> = {}
    const waiter = createEventWaiter()
    const waitFor = (condition: () => boolean, deadlineMs: number, what: string): Promise<void> => waiter.until(condition, deadlineMs, what)
    monitor.on('online', (peer) => {
      online.add(peer.id)
      waiter.notify()
    })
    monitor.on('offline', (peer) => {
      online.delete(peer.id)
      waiter.notify()
      if (phase === 'window' || phase === 'recovery') falseOfflines++
      else if (phase === 'partition') partitionOfflines++
      else if (phase === 'crash') offlineAt.set(peer.id, performance.now())
    })
    monitor.on('rejected', (info) => {
      if (phase !== 'warm-up') rejected[info.reason] = (rejected[info.reason] ?? 0) + 1
    })
    for (let i = 0; i < options.peers; i++) {
      const transport =
        scenario.transport === 'udp'
          ? createUdpClient({ host: '127.0.0.1', port: proxy.port })
          : createTcpClient({ host: '127.0.0.1', port: proxy.port })
      const beater = createBeater({ id: `fault-peer-${i}`, secret, transport, intervalMs: SCENARIO_INTERVAL_MS })
      beaters.push(beater)
      stops.push(beater.start())
    }
    await waitFor(() => online.size === options.peers, 10_000, 'every peer online before the fault')
    proxy.setFaults(scenario.faults)
    phase = 'window'
    let recoveryMs: number | undefined
    if (scenario.partitionMs !== undefined) {
      await sleep(options.windowMs / 2)
      phase = 'partition'
      proxy.partition()
      await sleep(scenario.partitionMs)
      proxy.heal()
      const healedAt = performance.now()
      phase = 'recovery'
      await waitFor(() => online.size === options.peers, 20_000, 'every peer back online after heal')
      recoveryMs = performance.now() - healedAt
      await sleep(options.windowMs / 2)
    } else if (scenario.reset === true && tcpProxy !== undefined) {
      await sleep(options.windowMs / 2)
      tcpProxy.reset()
      await sleep(options.windowMs / 2)
    } else {
      await sleep(options.windowMs)
    }
    // Crash every beater at once and time each offline.
    phase = 'crash'
    const crashedAt = performance.now()
    await Promise.all(stops.map((stop) => stop({ bye: false })))
    await waitFor(() => offlineAt.size === options.peers || online.size === 0, 20_000, 'every crashed peer offline')
    const detections = [...offlineAt.values()].map((at) => at - crashedAt)
    return {
      scenario: scenario.name,
      transport: scenario.transport,
      peers: options.peers,
      windowMs: options.windowMs,
      falseOfflines,
      partitionOfflines: scenario.partitionMs === undefined ? undefined : partitionOfflines,
      recoveryMs,
      rejected,
      proxy: proxy.stats(),
      detectionMeanMs: detections.reduce((sum, value) => sum + value, 0) / Math.max(1, detections.length),
      detectionMaxMs: Math.max(0, ...detections),
      size: monitor.size,
    }
  } finally {
    await Promise.allSettled(stops.map((stop) => stop({ bye: false })))
    await monitor.close()
    await proxy?.close()
  }
}
