/**
 * Prometheus metrics of a monitor, registered in one call. Names follow the
 * Prometheus naming guide: an `hb_` prefix, base units (`_seconds`), `_total`
 * on counters. Gauges of the present (peers by state) are computed when
 * scraped; counters of the past (transitions, rejections) from events.
 */
import type { Clock, Monitor, TimerHandle } from '@hb/core'
import { systemClock } from '@hb/core'
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'
import { configError } from '../config/config-error.js'
import { fixedDeadline } from '../presence/peer-view.js'
import { createEventLoopLag } from './event-loop-lag.js'

/** Options of {@link registerMonitorMetrics}. */
export interface MonitorMetricsOptions {
  /** The monitor's clock (for detection lateness). Default `systemClock`. */
  clock?: Clock
  /**
   * The monitor's fixed timeout: enables `hb_detection_lateness_seconds` (how
   * long after its deadline a timed-out peer was declared offline). Leave it
   * out with a phi-accrual detector, whose deadline moves.
   */
  timeoutMs?: number
  /** How often each live peer's last RTT is put in `hb_peer_rtt_seconds`. Default 10 000. */
  rttSampleMs?: number
  /** Sample the event loop's delay (`hb_event_loop_lag_seconds`). Default true. */
  eventLoopLag?: boolean
}

/** What {@link registerMonitorMetrics} returns. */
export interface MonitorMetrics {
  /** Stops listening to the monitor, the RTT timer and the event-loop sampler, and removes the metrics from the registry. */
  close(): void
}

const latenessBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const rttBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
const metricNames = [
  'hb_peers',
  'hb_frames_total',
  'hb_transitions_total',
  'hb_guarded_deadlines_total',
  'hb_peer_rtt_seconds',
  'hb_detection_lateness_seconds',
  'hb_event_loop_lag_seconds',
  'hb_event_loop_lag_max_seconds',
]

/**
 * Registers the monitor's metrics in `registry`:
 * - `hb_peers{state,transport}`: tracked peers now;
 * - `hb_frames_total{transport,result}`: frames by transport, `result` is
 *   `accepted` or the reject reason (`bad-signature`, `replayed`, …);
 * - `hb_transitions_total{event,transport,reason}`: online, suspect, recover, offline (reason);
 * - `hb_guarded_deadlines_total`: deadlines the local-health guard postponed;
 * - `hb_peer_rtt_seconds`: histogram of the RTT each live peer last reported, sampled every `rttSampleMs`;
 * - `hb_detection_lateness_seconds`: histogram, with `timeoutMs`;
 * - `hb_event_loop_lag_seconds`, `hb_event_loop_lag_max_seconds`: p99 and max since the last scrape.
 *
 * ```ts
 * const registry = new Registry()
 * registerMonitorMetrics(monitor, registry, { timeoutMs: 15_000 })
 * ```
 */
export function registerMonitorMetrics(monitor: Monitor, registry: Registry, options: MonitorMetricsOptions = {}): MonitorMetrics {
  const clock = options.clock ?? systemClock
  const { timeoutMs } = options
  const rttSampleMs = options.rttSampleMs ?? 10_000
  if (!(rttSampleMs > 0) || !Number.isFinite(rttSampleMs)) throw configError('rttSampleMs must be a positive finite number')
  const registers = [registry]
  const lag = options.eventLoopLag === false ? undefined : createEventLoopLag()

  new Gauge({
    name: 'hb_peers',
    help: 'Peers tracked by the monitor, by state and by the transport of their last frame.',
    labelNames: ['state', 'transport'],
    registers,
    collect() {
      this.reset()
      const counts = new Map<string, number>()
      for (const peer of monitor.peers()) {
        const key = `${peer.state}\u0000${peer.transport}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      for (const [key, count] of counts) {
        const [state, transport] = key.split('\u0000') as [string, string]
        this.set({ state, transport }, count)
      }
    },
  })

  new Counter({
    name: 'hb_frames_total',
    help: 'Frames received, by transport and result: accepted, or the reason it was rejected.',
    labelNames: ['transport', 'result'],
    registers,
    collect() {
      this.reset()
      // The monitor counts frames per transport itself (stats().transports): no wrapper, nothing missed.
      for (const [transport, counts] of Object.entries(monitor.stats().transports)) {
        this.inc({ transport, result: 'accepted' }, counts.accepted)
        for (const [result, count] of Object.entries(counts.rejected)) if (count > 0) this.inc({ transport, result }, count)
      }
    },
  })

  const transitions = new Counter({
    name: 'hb_transitions_total',
    help: 'Liveness transitions: online, suspect, recover, offline (with its reason).',
    labelNames: ['event', 'transport', 'reason'],
    registers,
  })

  new Counter({
    name: 'hb_guarded_deadlines_total',
    help: 'Peer deadlines postponed by the local-health guard because the monitor itself was stalled.',
    registers,
    collect() {
      this.reset()
      this.inc(monitor.stats().guarded)
    },
  })

  // RTTs arrive inside beats, with no event; they are sampled on a timer, so the
  // histogram's counts do not depend on how often (or by how many) it is scraped.
  const rtt = new Histogram({
    name: 'hb_peer_rtt_seconds',
    help: 'Round-trip time each live peer last reported, sampled once per peer every rttSampleMs.',
    buckets: rttBuckets,
    registers,
  })
  let rttTimer: TimerHandle | undefined
  const sampleRtt = () => {
    for (const peer of monitor.peers()) {
      if (peer.rttMs !== undefined && (peer.state === 'alive' || peer.state === 'suspect')) rtt.observe(peer.rttMs / 1000)
    }
    rttTimer = clock.setTimeout(sampleRtt, rttSampleMs)
  }
  rttTimer = clock.setTimeout(sampleRtt, rttSampleMs)

  const lateness =
    timeoutMs === undefined
      ? undefined
      : new Histogram({
          name: 'hb_detection_lateness_seconds',
          help: 'Time from a timed-out peer\'s deadline (last frame + timeout) to its offline event.',
          buckets: latenessBuckets,
          registers,
        })

  if (lag !== undefined) {
    // Both gauges come from one read per scrape: the p99 collector (registered first) reads and restarts the window.
    let last = { p99Seconds: 0, maxSeconds: 0 }
    new Gauge({
      name: 'hb_event_loop_lag_seconds',
      help: '99th percentile event-loop delay since the previous scrape.',
      registers,
      collect() {
        last = lag.read()
        this.set(last.p99Seconds)
      },
    })
    new Gauge({
      name: 'hb_event_loop_lag_max_seconds',
      help: 'Largest event-loop delay since the previous scrape.',
      registers,
      collect() {
        this.set(last.maxSeconds)
      },
    })
  }

  const offs = [
    monitor.on('online', (peer) => transitions.inc({ event: 'online', transport: peer.transport })),
    monitor.on('suspect', (peer) => transitions.inc({ event: 'suspect', transport: peer.transport })),
    monitor.on('recover', (peer) => transitions.inc({ event: 'recover', transport: peer.transport })),
    monitor.on('offline', (peer, reason) => {
      transitions.inc({ event: 'offline', transport: peer.transport, reason })
      if (lateness !== undefined && reason === 'timeout') {
        lateness.observe(Math.max(0, clock.now() - fixedDeadline(peer, timeoutMs!)) / 1000)
      }
    }),
  ]

  return {
    close() {
      for (const off of offs) off()
      clock.clearTimeout(rttTimer)
      lag?.close()
      for (const name of metricNames) registry.removeSingleMetric(name)
    },
  }
}
