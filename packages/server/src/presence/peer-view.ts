/**
 * A peer as the admin API, the dashboard and webhooks show it: plain JSON,
 * times as wall-clock Unix milliseconds. The one place that reads
 * `Peer.lastSeenMonotonicMs` (monotonic ms on the monitor's clock).
 */
import type { Clock, Peer } from '@hb/core'

/** One peer, as JSON. */
export interface PeerView {
  readonly id: string
  /** `alive`, `suspect`, `dead` or `left`. */
  readonly state: string
  readonly transport: string
  /** The RTT the peer last reported, or null. */
  readonly rttMs: number | null
  /** When its last accepted frame arrived, as wall-clock Unix ms (derived from the monotonic clock). */
  readonly lastSeenAt: number
  /** `host:port` of its last accepted frame, or null. */
  readonly address: string | null
  /** The detector's suspicion now (fixed timeout: elapsed / timeout; phi: φ). */
  readonly suspicion: number
  /** Shared presence only: the monitor (`host:pid`) holding a peer this process does not (its `transport` is then `remote`). */
  readonly monitor?: string
}

/** Monotonic milliseconds since the peer's last accepted frame, on `clock`. */
export function sinceLastSeenMs(peer: Peer, clock: Clock): number {
  return clock.now() - peer.lastSeenMonotonicMs
}

/** When the peer's deadline under a fixed timeout fell, in `clock.now()` terms. */
export function fixedDeadline(peer: Peer, timeoutMs: number): number {
  return peer.lastSeenMonotonicMs + timeoutMs
}

/** The JSON view of `peer` read at `clock`'s current time. */
export function toPeerView(peer: Peer, clock: Clock): PeerView {
  return {
    id: peer.id,
    state: peer.state,
    transport: peer.transport,
    rttMs: peer.rttMs ?? null,
    lastSeenAt: Math.round(clock.wallNow() - sinceLastSeenMs(peer, clock)),
    address: peer.remoteAddress ?? null,
    suspicion: Math.round(peer.suspicion * 1000) / 1000,
  }
}
