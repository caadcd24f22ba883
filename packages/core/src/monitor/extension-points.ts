/**
 * What `monitor.attach()` hands an adapter mounted in someone else's server,
 * and what a replay store (shared presence) gives a monitor: the monitor's
 * extension points beyond the transport seam.
 */
import type { FrameVerdict, ServerTransportHandler } from '../adapter/transport.js'
import type { Clock } from '../time/clock.js'
import type { StoredMark } from './admission.js'

/**
 * Where a monitor learns the last sequence of a peer it does not know, from
 * other monitors (`@hb/redis` implements it): replay protection that survives
 * a peer moving between monitor processes.
 */
export interface ReplayStore {
  /**
   * Called synchronously, once a frame's MAC verified, for a peer this monitor
   * does not know. Answer the cluster's last accepted mark, `null` if no
   * monitor has seen the peer, or `'pending'` while fetching it (the frame is
   * then rejected as `pending`; answer from a cache on the next call).
   */
  lookup(peerId: string): StoredMark
}

/** A beat authenticated by an adapter's own protocol (a legacy one), for `AttachedHandler.onAuthenticatedBeat`. */
export interface AuthenticatedBeat {
  readonly peerId: string
  readonly remoteAddress: string
  /** The beat interval the peer's protocol implies, as a `hello` would announce it. */
  readonly intervalMs?: number
}

/**
 * What `monitor.attach()` returns: the transport handler, plus what an adapter
 * that speaks its own authenticated protocol needs from the monitor it serves
 * (the codeskyblue endpoint): its clock, timeout and keys, and a way in for
 * beats it verified itself, so they are verified once, not re-signed.
 */
export interface AttachedHandler extends ServerTransportHandler {
  readonly clock: Clock
  /** The monitor's timeout (its detector's, for a new peer). */
  readonly timeoutMs: number
  /** The key the monitor would verify a frame about `peerId` naming `keyId` with; `undefined` if none. Never log it. */
  verifyingKey(peerId: string, keyId: string): Uint8Array | undefined
  /**
   * A beat the adapter authenticated and checked for replay itself: it runs
   * the liveness step only (no hb sequence, no ack). Rejected as `peer-limit`
   * for a new peer past `maxPeers`, as `unexpected` once the monitor is closed.
   */
  onAuthenticatedBeat(beat: AuthenticatedBeat): FrameVerdict
}

