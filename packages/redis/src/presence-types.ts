/**
 * The public types of a Redis-backed presence.
 */
import type { Clock, Monitor, OfflineReason } from '@hb/core'
import type { RedisLike } from './redis-connection.js'

export interface RedisPresenceOptions {
  /** A connected node-redis client (`createClient()`) or cluster client (`createCluster()`). Not closed by the presence. */
  redis: RedisLike
  /** The local monitor whose peers this process shares. */
  monitor: Monitor
  /** Names the cluster: every monitor sharing one presence uses the same namespace. Its keys are `{namespace}:…`. Default `hb`. */
  namespace?: string
  /** The monitors' `timeoutMs` (the same in every process of the namespace). Default 15 000. */
  timeoutMs?: number
  /**
   * How long a process's lease lasts without renewal (renewed four times per
   * lease). The peers of a process that died go offline at most
   * `leaseMs + timeoutMs / 3` after their deadline. Default `timeoutMs`.
   */
  leaseMs?: number
  /** This process's name in events and `get()`. Default `<hostname>:<pid>`. */
  name?: string
  /** Hashes the peers are spread over (fixed per namespace). Default 16 384: up to ~1.5 M peers stay in Redis's compact encoding. */
  buckets?: number
  /** Most entries kept in the event stream (approximate trimming). Default 100 000. */
  streamMaxLength?: number
  /** Time source; the monitor's clock. Default `systemClock`. */
  clock?: Clock
  /** Closes the presence when aborted. */
  signal?: AbortSignal
  /**
   * Testing only: the cluster's clock in ms, used instead of Redis `TIME`
   * (e.g. a fake clock's `now()`), so cluster deadlines can be tested exactly.
   */
  clusterNow?: () => number
}

/** A peer as the cluster sees it. */
export interface PresencePeer {
  readonly id: string
  /** Name of the monitor that holds it (the one that wrote last). */
  readonly monitor: string
  /** Its last beat known to Redis, in Redis ms (a lower bound: beats are written at most every few intervals). */
  readonly lastSeenMs: number
}

/** What `get()` tells about an online peer. */
export interface PresenceRecord extends PresencePeer {
  readonly state: 'online'
  /** Every monitor that holds it (more than one for a while after it moved). */
  readonly monitors: readonly string[]
}

/** An entry of the cluster's event stream. */
export interface PresenceEvent {
  /** The stream entry id (`<ms>-<n>`, Redis time): pass it as `from` to resume after it. */
  readonly id: string
  readonly type: 'online' | 'offline'
  readonly peerId: string
  /** The monitor that decided it (for an offline by reaping: the dead monitor). */
  readonly monitor: string
  readonly reason?: OfflineReason
  /** Redis time of the event, in ms. */
  readonly atMs: number
}

export type PresenceListeners = {
  /** A peer came online in the cluster; fired in the one process that decided it. */
  online: (peer: PresencePeer) => void
  /** A peer went offline in the cluster; fired in the one process that decided it. */
  offline: (peer: PresencePeer, reason: OfflineReason) => void
  /** A Redis call failed (it is retried); for logs and metrics. */
  error: (error: Error) => void
}

export interface PresenceEventsOptions {
  /** Ends the iterator when aborted. */
  signal?: AbortSignal
  /** Where to start: `$` (new events only, the default), `0` (everything retained) or an event id to resume after. */
  from?: string
  /** Read through a consumer group (created if missing); each event is acknowledged when the next is requested. */
  group?: { name: string; consumer: string }
  /** Most events fetched per read. Default 500. */
  batch?: number
}

export interface PresenceStats {
  /** Script calls sent to Redis, by kind. */
  readonly calls: Readonly<Record<'upsert' | 'release' | 'lease' | 'reap' | 'marks', number>>
  /** Peer fields written (claims and refreshes). */
  readonly writes: number
  /** Redis calls that failed (and were retried). */
  readonly failures: number
  /** Peers this process holds. */
  readonly held: number
  /** How late its writes land lately (ms, decaying); it rewrites that much earlier. */
  readonly lagMs: number
  /** New peers admitted without the cluster's replay mark (Redis silent, or a burst past 50 000). */
  readonly replayFailedOpen: number
}

export interface RedisPresence {
  /** Joins the cluster (takes a lease) and starts sharing the monitor's peers. */
  start(): Promise<void>
  /** Writes what is pending, gives up the lease (its peers are then reaped unless another monitor holds them) and stops. Idempotent. */
  close(): Promise<void>
  /** Resolves once everything queued so far reached Redis (or failed). */
  flush(): Promise<void>
  on<E extends keyof PresenceListeners>(event: E, listener: PresenceListeners[E]): void
  off<E extends keyof PresenceListeners>(event: E, listener: PresenceListeners[E]): void
  /** The cluster's events, from its Redis stream (a connection of its own per iterator). */
  events(options?: PresenceEventsOptions): AsyncIterableIterator<PresenceEvent>
  /** The peer as the cluster sees it, or undefined if it is offline. */
  get(id: string): Promise<PresenceRecord | undefined>
  /** Every online peer, read bucket by bucket (`pageBuckets` per round trip, default 256). */
  peers(options?: { pageBuckets?: number }): AsyncIterableIterator<PresencePeer>
  /** Peers online in the cluster. */
  size(): Promise<number>
  /** This process's owner index in the cluster (after `start()`). */
  readonly owner: string | undefined
  stats(): PresenceStats
}
