/**
 * The one place that reads the monitor's peers and plugs into its replay
 * check, so a change of those core hooks is a change here only.
 *
 * - `Peer.lastSeenMs` (monotonic `clock.now()` ms of the last accepted frame),
 *   formerly `Peer.lastSeen`;
 * - `Peer.incarnation` / `Peer.seq` of the last accepted frame;
 * - `monitor.useReplayStore(store)`: asked, for a peer the monitor does not
 *   know, for the cluster's high-water mark of that peer's frames.
 */
import type { Monitor } from '@hb/core'

/** What the monitor may ask a replay store (the shape `@hb/core` defines). */
export interface ReplayStore {
  lookup(peerId: string): { incarnation: number; seq: number } | null | 'pending'
}

export interface PeerReading {
  readonly lastSeenMs: number
  readonly incarnation: number
  readonly seq: number
}

interface PeerFields {
  lastSeenMs?: number
  lastSeen?: number
  incarnation?: number
  seq?: number
}

/** The local facts about a peer that the presence writes, or undefined if the monitor does not track it. */
export function readPeer(monitor: Monitor, id: string): PeerReading | undefined {
  const peer = monitor.get(id) as (PeerFields & { state: string }) | undefined
  if (peer === undefined) return undefined
  return {
    lastSeenMs: peer.lastSeenMs ?? peer.lastSeen ?? 0,
    incarnation: peer.incarnation ?? 0,
    seq: peer.seq ?? 0,
  }
}

/** Installs (or, with undefined, removes) the replay store, if this `@hb/core` has the hook. */
export function useReplayStore(monitor: Monitor, store: ReplayStore | undefined): boolean {
  const hook = (monitor as { useReplayStore?: (store: ReplayStore | undefined) => void }).useReplayStore
  if (typeof hook !== 'function') return false
  hook.call(monitor, store)
  return true
}
