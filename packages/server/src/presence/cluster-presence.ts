/**
 * Presence as a cluster of monitors sharing one Redis sees it (`@hb/redis`).
 * Transitions are the cluster's: `online` and `offline` are fired in the one
 * process that decided them, so webhooks and the event stream carry each
 * cluster transition once across all processes (a peer moving between
 * processes is no transition). `suspect` and `recover` stay this process's
 * own observations: they are not decided by the cluster.
 *
 * `peers()` and `get()` must answer synchronously (per request), so the
 * cluster's peers are a snapshot read from Redis every `refreshMs`, updated at
 * once by the transitions this process decides. Peers this process holds are
 * shown with their local detail (transport, RTT, address); the others with
 * what Redis knows (who holds them, when they last beat).
 */
import type { Clock, Monitor, TimerHandle } from '@hb/core'
import type { PresencePeer, RedisPresence } from '@hb/redis'
import type { PeerView } from './peer-view.js'
import { toPeerView } from './peer-view.js'
import type { Presence, PresenceEvent } from './presence.js'

/** A cluster presence: a `Presence`, plus the refresh loop it owns. */
export interface ClusterPresence extends Presence {
  /** Reads the cluster's peers now (the snapshot `peers()` shows). */
  refresh(): Promise<void>
  /** Starts refreshing every `refreshMs` (after a first refresh). */
  start(): Promise<void>
  /** Stops refreshing; emits nothing more. */
  close(): void
}

export interface ClusterPresenceOptions {
  readonly shared: RedisPresence
  readonly monitor: Monitor
  readonly clock: Clock
  /** How often the cluster's peer list is read from Redis. */
  readonly refreshMs: number
  /** A failed refresh (it is retried on the next round). */
  readonly onError: (error: Error) => void
}

const live = (state: string): boolean => state === 'alive' || state === 'suspect'

export function createClusterPresence(options: ClusterPresenceOptions): ClusterPresence {
  const { shared, monitor, clock } = options
  const listeners = new Set<(event: PresenceEvent) => void>()
  let remote = new Map<string, PresencePeer>()
  // Transitions seen while a refresh reads Redis: replayed over its result, which may predate them.
  let during: Array<[string, PresencePeer | undefined]> | undefined
  let timer: TimerHandle | undefined
  let refreshing: Promise<void> | undefined
  let closed = false

  const emit = (event: PresenceEvent): void => {
    if (closed) return
    for (const listener of listeners) listener(event)
  }
  const note = (id: string, peer: PresencePeer | undefined): void => {
    if (peer === undefined) remote.delete(id)
    else remote.set(id, peer)
    during?.push([id, peer])
  }

  /** The local view when this process holds the peer, else what the cluster knows. */
  function viewOf(id: string, cluster: PresencePeer | undefined, clusterState: string): PeerView | undefined {
    const local = monitor.get(id)
    if (local !== undefined && (live(local.state) || cluster === undefined)) return toPeerView(local, clock)
    if (cluster === undefined) return undefined
    return { id, state: clusterState, transport: 'remote', rttMs: null, lastSeenAt: cluster.lastSeenMs, address: null, suspicion: 0, monitor: cluster.monitor }
  }

  shared.on('online', (peer) => {
    note(peer.id, peer)
    const view = viewOf(peer.id, peer, 'alive')
    if (view !== undefined) emit({ type: 'online', peer: view, at: clock.wallNow() })
  })
  shared.on('offline', (peer, reason) => {
    note(peer.id, undefined)
    const local = monitor.get(peer.id)
    const view = local === undefined ? viewOf(peer.id, peer, 'dead') : toPeerView(local, clock)
    if (view !== undefined) emit({ type: 'offline', peer: view, reason, at: clock.wallNow() })
  })
  monitor.on('suspect', (peer) => emit({ type: 'suspect', peer: toPeerView(peer, clock), at: clock.wallNow() }))
  monitor.on('recover', (peer) => emit({ type: 'recover', peer: toPeerView(peer, clock), at: clock.wallNow() }))

  async function readAll(): Promise<void> {
    during = []
    try {
      const next = new Map<string, PresencePeer>()
      for await (const peer of shared.peers()) next.set(peer.id, peer)
      for (const [id, peer] of during) {
        if (peer === undefined) next.delete(id)
        else next.set(id, peer)
      }
      remote = next
    } finally {
      during = undefined
    }
  }

  function refresh(): Promise<void> {
    refreshing ??= readAll().finally(() => {
      refreshing = undefined
    })
    return refreshing
  }

  function schedule(): void {
    if (closed) return
    timer = clock.setTimeout(() => {
      timer = undefined
      refresh()
        .catch((error: unknown) => options.onError(error as Error))
        .finally(schedule)
    }, options.refreshMs)
  }

  return {
    peers() {
      const views = new Map<string, PeerView>()
      for (const [id, peer] of remote) views.set(id, viewOf(id, peer, 'alive')!)
      // Local peers the cluster has no record of: dead or left here, or not yet written.
      for (const peer of monitor.peers()) if (!views.has(peer.id) || live(peer.state)) views.set(peer.id, toPeerView(peer, clock))
      return [...views.values()]
    },
    get: (id) => viewOf(id, remote.get(id), 'alive'),
    onTransition(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    refresh,
    async start() {
      await refresh()
      schedule()
    },
    close() {
      closed = true
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    },
  }
}
