/**
 * The monitor's public types: what its events carry and what it offers.
 */
import type { EventStreamOptions } from '../events/event-stream.js'
import type { OfflineReason, PeerState } from '../liveness/transition.js'
import type { RejectReason } from '../errors/reject-reason.js'
import type { ServerTransportHandler, TransportKind } from '../adapter/transport.js'
import type { TypedEmitter } from '../events/typed-emitter.js'

/** A peer as seen by the monitor, at the moment it was read. */
export interface Peer {
  readonly id: string
  readonly state: PeerState
  /** `clock.now()` of the last accepted frame (monotonic ms). */
  readonly lastSeen: number
  /** The round-trip time the peer measured and reported in its last beat, if it did. */
  readonly rttMs: number | undefined
  /** Name of the transport of its last accepted frame (`udp`, `tcp`, `ws`, `http`, …). */
  readonly transport: string
  /** Address of its last accepted frame (`host:port`). */
  readonly remoteAddress: string | undefined
  /** The detector's suspicion level now (φ for phi accrual; elapsed / timeout for fixed timeout). */
  readonly suspicion: number
}

/** What a `rejected` event carries. Never contains key material or frame bytes. */
export interface RejectedInfo {
  readonly reason: RejectReason
  readonly transport: string
  readonly remoteAddress: string
  /** The peer id the frame claimed. Unauthenticated for `malformed`, `unknown-key` and `bad-signature`. */
  readonly peerId?: string
  readonly detail: string
}

export type MonitorListeners = {
  online: (peer: Peer) => void
  offline: (peer: Peer, reason: OfflineReason) => void
  suspect: (peer: Peer) => void
  recover: (peer: Peer) => void
  rejected: (info: RejectedInfo) => void
}

export type MonitorEvent =
  | { readonly type: 'online' | 'suspect' | 'recover'; readonly peer: Peer }
  | { readonly type: 'offline'; readonly peer: Peer; readonly reason: OfflineReason }
  | { readonly type: 'rejected'; readonly info: RejectedInfo }

export interface MonitorStats {
  readonly accepted: number
  readonly rejected: Readonly<Record<RejectReason, number>>
  /** Deadlines postponed by the local-health guard (the monitor's loop was blocked). */
  readonly guarded: number
}

export interface Monitor extends TypedEmitter<MonitorListeners> {
  /** Starts every transport in `options.transports`. Rejects (after closing what started) if one cannot start. */
  start(): Promise<void>
  /** Stops every transport and timer. Idempotent; no event is emitted once it was called. */
  close(): Promise<void>
  get(id: string): Peer | undefined
  /** Every tracked peer, including dead and left ones not yet forgotten. Builds one object per peer. */
  peers(): Peer[]
  readonly size: number
  stats(): MonitorStats
  /** The events as an async iterator with a bounded buffer (see `EventStreamOptions`). */
  events(options?: EventStreamOptions): AsyncIterableIterator<MonitorEvent>
  [Symbol.asyncIterator](): AsyncIterableIterator<MonitorEvent>
  /**
   * A handler for a transport that is not in `options.transports`: used by
   * adapters that are mounted into someone else's server (the HTTP handlers).
   */
  attach(transport: { name: string; kind: TransportKind }): ServerTransportHandler
}
