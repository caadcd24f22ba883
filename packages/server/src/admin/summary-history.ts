/**
 * The dashboard chart's data: a summary of every peer every
 * `sampleIntervalMs`, the last `length` of them kept. Each sample is pushed to
 * live dashboards; a newly opened one gets the history at once.
 */
import type { Clock, TimerHandle } from '@hb/core'
import type { Presence } from '../presence/presence.js'
import { summarisePeers } from './peer-summary.js'
import type { PeerSummary } from './peer-summary.js'

export interface SummaryHistory {
  /** Oldest first. */
  samples(): PeerSummary[]
  /** A summary of now (also used by `/api/summary`). */
  current(): PeerSummary
  subscribe(listener: (sample: PeerSummary) => void): () => void
  close(): void
}

export interface SummaryHistoryOptions {
  readonly presence: Presence
  readonly clock: Clock
  readonly intervalMs: number
  /** Samples kept. Default 300 (10 minutes at 2 s). */
  readonly length?: number
}

export function createSummaryHistory(options: SummaryHistoryOptions): SummaryHistory {
  const { presence, clock, intervalMs } = options
  const length = options.length ?? 300
  const ring: PeerSummary[] = []
  const listeners = new Set<(sample: PeerSummary) => void>()
  let timer: TimerHandle | undefined
  let closed = false

  const current = () => summarisePeers(presence.peers(), clock.wallNow())
  const tick = () => {
    if (closed) return
    const sample = current()
    ring.push(sample)
    if (ring.length > length) ring.shift()
    for (const listener of listeners) listener(sample)
    timer = clock.setTimeout(tick, intervalMs)
  }
  timer = clock.setTimeout(tick, intervalMs)

  return {
    samples: () => ring.slice(),
    current,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      closed = true
      clock.clearTimeout(timer)
    },
  }
}
