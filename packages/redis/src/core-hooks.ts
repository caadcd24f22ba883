/**
 * The one place that reads the monitor's peers and plugs into its replay
 * check, so a change of those core hooks is a change here only:
 * `Peer.lastSeenMonotonicMs` (the monitor's `clock.now()` of the last accepted
 * frame), `Peer.incarnation` / `Peer.seq` of that frame, and
 * `monitor.useReplayStore(store)`.
 */
import type { Monitor, ReplayStore } from '@hb/core'

export type { ReplayStore }

export interface PeerReading {
  readonly lastSeenMs: number
  readonly incarnation: number
  readonly seq: number
}

/** The local facts about a peer that the presence writes, or undefined if the monitor does not track it. */
export function readPeer(monitor: Monitor, id: string): PeerReading | undefined {
  const peer = monitor.get(id)
  if (peer === undefined) return undefined
  // A peer known only through a legacy protocol has no sequence: (0, 0) never raises a mark.
  return { lastSeenMs: peer.lastSeenMonotonicMs, incarnation: peer.incarnation ?? 0, seq: peer.seq ?? 0 }
}

/** Installs (or, with undefined, removes) the cluster's replay store on the monitor. */
export function useReplayStore(monitor: Monitor, store: ReplayStore | undefined): void {
  monitor.useReplayStore(store)
}
