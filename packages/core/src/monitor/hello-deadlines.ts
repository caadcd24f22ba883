/**
 * Deadlines for connections that have not authenticated yet: a link that sends
 * no valid frame within `helloTimeoutMs` of connecting is closed, so idle or
 * hostile connections cannot hold sockets forever.
 *
 * They live on the monitor's one timing wheel, next to the peers' deadlines:
 * each waiting link borrows a reserved slot of the peer registry as its wheel
 * entry, so entries stay dense and one timer serves everything.
 */
import type { Link } from '../adapter/transport.js'
import type { Clock } from '../time/clock.js'
import type { TimingWheel } from '../time/timing-wheel.js'
import type { PeerRegistry } from './peer-registry.js'

export interface HelloDeadlines {
  /** Starts the deadline of a new link. */
  add(link: Link): void
  /** The link authenticated or went down: no deadline any more. */
  release(link: Link): void
  /** The wheel fired `slot`: if it is a waiting link's, closes that link and returns true. */
  expire(slot: number): boolean
  /** Forgets every waiting link (the monitor is closing; the wheel is closed by its owner). */
  clear(): void
}

export function createHelloDeadlines(options: { clock: Clock; wheel: TimingWheel; registry: PeerRegistry; timeoutMs: number }): HelloDeadlines {
  const { clock, wheel, registry, timeoutMs } = options
  const slotOf = new Map<Link, number>()
  const linkAt = new Map<number, Link>()

  function release(link: Link): void {
    const slot = slotOf.get(link)
    if (slot === undefined) return
    slotOf.delete(link)
    linkAt.delete(slot)
    wheel.cancel(slot)
    registry.unreserve(slot)
  }

  return {
    add(link) {
      if (slotOf.has(link)) return
      const slot = registry.reserve()
      slotOf.set(link, slot)
      linkAt.set(slot, link)
      wheel.arm(slot, clock.now() + timeoutMs)
    },
    release,
    expire(slot) {
      const link = linkAt.get(slot)
      if (link === undefined) return false
      release(link)
      link.close()
      return true
    },
    clear() {
      slotOf.clear()
      linkAt.clear()
    },
  }
}
