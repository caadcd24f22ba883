/**
 * The monitor's table of peers: an id → slot map plus column storage in typed
 * arrays, so a million peers cost a Map entry, an id string and a few dozen
 * bytes of numbers each, not an object, a closure and a timer apiece.
 *
 * A slot is a small integer reused after a peer is forgotten; the timing
 * wheel, the replay window and the detector state are indexed by it too.
 */
import type { Link } from '../adapter/transport.js'
import type { PeerState } from '../liveness/transition.js'
import type { RemoteAddresses } from './remote-addresses.js'
import { createRemoteAddresses } from './remote-addresses.js'
import { createPeerIndex } from './peer-index.js'

/** States as stored in the `state` column. 0 is a free slot. */
export const STATE_CODES = { new: 0, alive: 1, suspect: 2, dead: 3, left: 4 } as const
/** The `rtt` column's value for a peer that has not reported an RTT. */
export const RTT_UNKNOWN = 0xffff

export const STATE_NAMES: readonly (PeerState | 'new')[] = ['new', 'alive', 'suspect', 'dead', 'left']
/**
 * The `state` of a slot reserved for something that is not a peer (a link
 * waiting for its first valid frame), so the monitor's one timing wheel can
 * hold its deadline next to the peers' with dense entry numbers.
 */
export const RESERVED = 0xff

export interface PeerRegistry {
  readonly size: number
  slotOf(id: string): number
  /** A fresh slot for a new id (the caller checked `maxPeers`). */
  add(id: string): number
  /** Frees a slot; its columns are reset. */
  remove(slot: number): void
  /** A slot that is not a peer (state `RESERVED`, no id), for another deadline on the same wheel. */
  reserve(): number
  /** Frees a reserved slot. */
  unreserve(slot: number): void
  idOf(slot: number): string
  /** Slots in use, in no particular order. */
  slots(): IterableIterator<number>

  lastBeat: Float64Array
  state: Uint8Array
  rise: Uint8Array
  transport: Uint8Array
  /** The RTT the peer reported in its last beat, in whole ms up to 65 534 (more is clamped); `RTT_UNKNOWN` when it has not. */
  rtt: Uint16Array
  /** Detector state, `detectorSlots` numbers per peer. */
  detector: Float64Array
  readonly detectorSlots: number
  /** The address of each peer's last accepted frame. */
  readonly remote: RemoteAddresses
  link: (Link | undefined)[]
}

export function createPeerRegistry(detectorSlots: number, initialCapacity = 1024): PeerRegistry {
  const ids: (string | undefined)[] = []
  const index = createPeerIndex(ids)
  const free: number[] = []
  let capacity = 0
  let next = 0

  const registry: PeerRegistry = {
    get size() {
      return index.size
    },
    slotOf(id) {
      return index.get(id)
    },
    add(id) {
      const slot = take()
      const own = ownCopy(id)
      ids[slot] = own
      index.insert(own, slot)
      return slot
    },
    remove(slot) {
      const id = ids[slot]
      if (id === undefined) return
      index.remove(id)
      ids[slot] = undefined
      registry.remote.clear(slot)
      registry.link[slot] = undefined
      registry.state[slot] = 0
      registry.rise[slot] = 0
      registry.rtt[slot] = RTT_UNKNOWN
      registry.detector.fill(0, slot * detectorSlots, (slot + 1) * detectorSlots)
      free.push(slot)
    },
    reserve() {
      const slot = take()
      registry.state[slot] = RESERVED
      return slot
    },
    unreserve(slot) {
      if (registry.state[slot] !== RESERVED || ids[slot] !== undefined) return
      registry.state[slot] = 0
      free.push(slot)
    },
    idOf(slot) {
      return ids[slot] ?? ''
    },
    *slots() {
      for (let slot = 0; slot < next; slot++) if (ids[slot] !== undefined) yield slot
    },
    lastBeat: new Float64Array(0),
    state: new Uint8Array(0),
    rise: new Uint8Array(0),
    transport: new Uint8Array(0),
    rtt: new Uint16Array(0),
    detector: new Float64Array(0),
    detectorSlots,
    remote: createRemoteAddresses(initialCapacity),
    link: [],
  }

  function take(): number {
    let slot = free.pop()
    if (slot === undefined) {
      slot = next++
      if (slot >= capacity) grow(Math.max(initialCapacity, capacity * 2))
    }
    return slot
  }

  function grow(to: number): void {
    registry.lastBeat = resize(registry.lastBeat, to, Float64Array)
    registry.state = resize(registry.state, to, Uint8Array)
    registry.rise = resize(registry.rise, to, Uint8Array)
    registry.transport = resize(registry.transport, to, Uint8Array)
    const rtt = resize(registry.rtt, to, Uint16Array)
    rtt.fill(RTT_UNKNOWN, capacity)
    registry.rtt = rtt
    registry.detector = resize(registry.detector, to * detectorSlots, Float64Array)
    capacity = to
  }

  grow(initialCapacity)
  return registry
}

type TypedArrayConstructor<T> = new (length: number) => T & { set(source: ArrayLike<number>): void }

function resize<T extends { length: number }>(old: T, length: number, Ctor: TypedArrayConstructor<T>): T {
  const next = new Ctor(length)
  next.set(old as unknown as ArrayLike<number>)
  return next
}

/**
 * A string of its own for an id that is kept: a decoder's id can be a slice
 * of the whole frame's text (V8 shares the parent string for slices of 13
 * characters or more), and keeping the slice would keep the frame, about 170
 * more bytes per peer (measured, Node 20). Only on a peer's admission.
 */
function ownCopy(id: string): string {
  return JSON.parse(JSON.stringify(id)) as string
}
