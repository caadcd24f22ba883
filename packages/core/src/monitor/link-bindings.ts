/**
 * Which live connection (link) carries each peer, both ways: the registry's
 * `link` column (peer → link) and a map (link → peer), kept in step. A peer
 * that comes back on a new connection loses the old one; a link that goes
 * down is detached from its peer.
 */
import type { Link } from '../adapter/transport.js'
import type { PeerRegistry } from './peer-registry.js'

export interface LinkBindings {
  /** Binds `link` to the peer in `slot` (an accepted frame came on it), closing the peer's previous link. */
  bind(slot: number, link: Link): void
  /** Detaches the peer's link, if any, and returns it for the caller to close. */
  unbind(slot: number): Link | undefined
  /** A link went down: detaches it; returns the slot of the peer it carried, or -1. */
  down(link: Link): number
  clear(): void
}

export function createLinkBindings(registry: PeerRegistry): LinkBindings {
  const slotOf = new Map<Link, number>()
  return {
    bind(slot, link) {
      const previous = registry.link[slot]
      if (previous === link) return
      if (previous !== undefined) {
        // The peer came back on a new connection: the old one is dead or a duplicate.
        slotOf.delete(previous)
        previous.close()
      }
      const otherSlot = slotOf.get(link)
      if (otherSlot !== undefined && registry.link[otherSlot] === link) registry.link[otherSlot] = undefined
      registry.link[slot] = link
      slotOf.set(link, slot)
    },
    unbind(slot) {
      const link = registry.link[slot]
      registry.link[slot] = undefined
      if (link !== undefined) slotOf.delete(link)
      return link
    },
    down(link) {
      const slot = slotOf.get(link)
      if (slot === undefined) return -1
      slotOf.delete(link)
      if (registry.link[slot] !== link) return -1
      registry.link[slot] = undefined
      return slot
    },
    clear() {
      slotOf.clear()
    },
  }
}
