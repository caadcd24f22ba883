/**
 * The seam between where presence is decided and everything that shows it
 * (admin API, dashboard, metrics, webhooks). Today the only source is this
 * process's monitor (`createLocalPresence`). Shared presence through
 * `@hb/redis` is a second implementation of this interface: its peers and its
 * transitions are the cluster's (a peer's first beat anywhere is one `online`,
 * a peer that moved between monitors is no `offline`), and nothing that
 * consumes a `Presence` changes.
 */
import type { Clock, Monitor, OfflineReason } from '@hb/core'
import type { PeerView } from './peer-view.js'
import { toPeerView } from './peer-view.js'

/** A liveness transition, as the API, the dashboard and webhooks carry it. */
export interface PresenceEvent {
  readonly type: 'online' | 'offline' | 'suspect' | 'recover'
  readonly peer: PeerView
  /** Why a peer went offline: `timeout`, `left` or `closed`. */
  readonly reason?: OfflineReason
  /** Wall-clock Unix ms when the transition was seen. */
  readonly at: number
}

/** Where peers and their transitions come from. */
export interface Presence {
  /** Every known peer (any order). Builds one object per peer: call it per request, not per frame. */
  peers(): PeerView[]
  get(id: string): PeerView | undefined
  /** Calls `listener` for every transition; returns the function that stops it. */
  onTransition(listener: (event: PresenceEvent) => void): () => void
}

/** Presence as one monitor sees it. */
export function createLocalPresence(monitor: Monitor, clock: Clock): Presence {
  const listeners = new Set<(event: PresenceEvent) => void>()
  const emit = (event: PresenceEvent) => {
    for (const listener of listeners) listener(event)
  }
  // Listeners are added once and live as long as the monitor: it emits nothing once closed.
  monitor.on('online', (peer) => emit({ type: 'online', peer: toPeerView(peer, clock), at: clock.wallNow() }))
  monitor.on('suspect', (peer) => emit({ type: 'suspect', peer: toPeerView(peer, clock), at: clock.wallNow() }))
  monitor.on('recover', (peer) => emit({ type: 'recover', peer: toPeerView(peer, clock), at: clock.wallNow() }))
  monitor.on('offline', (peer, reason) => emit({ type: 'offline', peer: toPeerView(peer, clock), reason, at: clock.wallNow() }))
  return {
    peers: () => monitor.peers().map((peer) => toPeerView(peer, clock)),
    get(id) {
      const peer = monitor.get(id)
      return peer === undefined ? undefined : toPeerView(peer, clock)
    },
    onTransition(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
