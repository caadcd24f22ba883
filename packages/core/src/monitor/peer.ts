/**
 * A peer as the monitor shows it: a snapshot object built from the registry's
 * columns when someone reads it (an event, `get`, `peers`), never stored.
 */
import type { Detector } from '../liveness/detector.js'
import type { PeerState } from '../liveness/transition.js'
import type { ReplayWindow } from '../signing/replay-window.js'
import type { Clock } from '../time/clock.js'
import type { PeerRegistry } from './peer-registry.js'
import { RTT_UNKNOWN, STATE_NAMES } from './peer-registry.js'

/** A peer as seen by the monitor, at the moment it was read. */
export interface Peer {
  readonly id: string
  readonly state: PeerState
  /** When the monitor accepted the peer's last frame, on the monitor's monotonic clock (`clock.now()`, ms): compare it with `clock.now()`, never with calendar time. */
  readonly lastSeenMonotonicMs: number
  /** The same moment as wall-clock Unix ms (the calendar), for display and storage. */
  readonly lastSeenWallMs: number
  /** The round-trip time the peer measured and reported in its last beat, if it did. */
  readonly rttMs: number | undefined
  /** Name of the transport of its last accepted frame (`udp`, `tcp`, `ws`, `http`, …). */
  readonly transport: string
  /** Address of its last accepted frame (`host:port`). */
  readonly remoteAddress: string | undefined
  /** The detector's suspicion level now (φ for phi accrual; elapsed / timeout for fixed timeout). */
  readonly suspicion: number
  /** The (incarnation, seq) of its last accepted frame; absent for a peer known only through a legacy protocol. */
  readonly incarnation: number | undefined
  readonly seq: number | undefined
}

/** Builds `Peer` snapshots from the monitor's columns. */
export function createPeerReader(parts: {
  registry: PeerRegistry
  replay: ReplayWindow
  detector: Detector
  clock: Clock
  transportNames: readonly string[]
}): (slot: number) => Peer {
  const { registry, replay, detector, clock, transportNames } = parts
  return (slot) => {
    const last = registry.lastBeat[slot] as number
    const rtt = registry.rtt[slot] as number
    const now = clock.now()
    const mark = replay.markOf(slot)
    return {
      id: registry.idOf(slot),
      state: STATE_NAMES[registry.state[slot] as number] as PeerState,
      lastSeenMonotonicMs: last,
      lastSeenWallMs: Math.round(clock.wallNow() - (now - last)),
      rttMs: rtt === RTT_UNKNOWN ? undefined : rtt,
      transport: transportNames[registry.transport[slot] as number] ?? 'unknown',
      remoteAddress: registry.remote.get(slot),
      suspicion: detector.suspicion(registry.detector, slot * detector.stateSlots, last, now),
      incarnation: mark?.incarnation,
      seq: mark?.seq,
    }
  }
}
