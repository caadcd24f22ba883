/**
 * Deadlines for connections that have not authenticated yet: a link that sends
 * no valid frame within `timeoutMs` of connecting is closed, so idle or hostile
 * connections cannot hold sockets forever. One timing wheel for all of them.
 */
import type { Clock } from '../time/clock.js'
import { createTimingWheel } from '../time/timing-wheel.js'
import type { Link } from '../adapter/transport.js'

export interface HelloDeadlines {
  /** Starts the deadline of a new link. */
  add(link: Link): void
  /** The link authenticated or went down: no deadline any more. */
  release(link: Link): void
  close(): void
}

export function createHelloDeadlines(options: { clock: Clock; tickMs: number; timeoutMs: number }): HelloDeadlines {
  const entries = new Map<Link, number>()
  const links: (Link | undefined)[] = []
  const free: number[] = []
  const wheel = createTimingWheel({
    clock: options.clock,
    tickMs: options.tickMs,
    onExpire(entry) {
      const link = links[entry]
      if (link === undefined) return
      release(link)
      link.close()
    },
  })

  function release(link: Link): void {
    const entry = entries.get(link)
    if (entry === undefined) return
    entries.delete(link)
    links[entry] = undefined
    wheel.cancel(entry)
    free.push(entry)
  }

  return {
    add(link) {
      if (entries.has(link)) return
      const entry = free.pop() ?? links.length
      links[entry] = link
      entries.set(link, entry)
      wheel.arm(entry, options.clock.now() + options.timeoutMs)
    },
    release,
    close() {
      wheel.close()
      entries.clear()
      links.length = 0
      free.length = 0
    },
  }
}
