/**
 * Counts by state and transport and the RTT spread of a set of peers: what
 * the dashboard's header and chart show, computed in one pass.
 */
import type { PeerView } from '../presence/peer-view.js'

/** One point of the dashboard: counts and RTT percentiles at a moment. */
export interface PeerSummary {
  /** Wall-clock Unix ms. */
  readonly at: number
  readonly total: number
  readonly byState: Readonly<Record<string, number>>
  readonly byTransport: Readonly<Record<string, number>>
  /** Median and 99th percentile of the RTTs live peers last reported, or null if none did. */
  readonly rttP50Ms: number | null
  readonly rttP99Ms: number | null
}

/** The value at quantile `q` of sorted `values` (nearest rank). */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/** Summarises `peers` at wall time `at`. */
export function summarisePeers(peers: readonly PeerView[], at: number): PeerSummary {
  const byState: Record<string, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
  const byTransport: Record<string, number> = {}
  const rtts = new Float64Array(peers.length)
  let rttCount = 0
  for (const peer of peers) {
    byState[peer.state] = (byState[peer.state] ?? 0) + 1
    byTransport[peer.transport] = (byTransport[peer.transport] ?? 0) + 1
    if (peer.rttMs !== null && (peer.state === 'alive' || peer.state === 'suspect')) rtts[rttCount++] = peer.rttMs
  }
  const sorted = rtts.subarray(0, rttCount).sort()
  return {
    at,
    total: peers.length,
    byState,
    byTransport,
    rttP50Ms: rttCount === 0 ? null : quantile(sorted, 0.5),
    rttP99Ms: rttCount === 0 ? null : quantile(sorted, 0.99),
  }
}
