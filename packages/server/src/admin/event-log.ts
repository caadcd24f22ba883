/**
 * The recent transitions, numbered, so a server-sent-events client that lost
 * its connection resumes where it was (`Last-Event-ID`). A ring of fixed
 * size: memory stays bounded however fast peers churn; a client that fell
 * further behind than the ring is told to start over (`reset`).
 */
import type { PresenceEvent } from '../presence/presence.js'

/** One logged transition with its id (1, 2, 3, … for the life of the process). */
export interface LoggedEvent {
  readonly id: number
  readonly event: PresenceEvent
}

export interface EventLog {
  append(event: PresenceEvent): LoggedEvent
  /**
   * The events after `lastId`, oldest first, or `undefined` when some of them
   * were already dropped from the ring (or `lastId` is from the future, e.g.
   * another process): the client must reload its state.
   */
  since(lastId: number): LoggedEvent[] | undefined
  /** The newest events, at most `count`, oldest first. */
  latest(count: number): LoggedEvent[]
  /** Id of the newest event (0 before the first). */
  readonly lastId: number
  subscribe(listener: (logged: LoggedEvent) => void): () => void
}

/** Creates a log keeping the last `capacity` events. */
export function createEventLog(capacity: number): EventLog {
  const ring: Array<LoggedEvent | undefined> = new Array<LoggedEvent | undefined>(capacity)
  const listeners = new Set<(logged: LoggedEvent) => void>()
  let lastId = 0

  const slice = (fromId: number): LoggedEvent[] => {
    const out: LoggedEvent[] = []
    for (let id = fromId; id <= lastId; id++) out.push(ring[id % capacity]!)
    return out
  }

  return {
    append(event) {
      const logged = { id: ++lastId, event }
      ring[lastId % capacity] = logged
      for (const listener of listeners) listener(logged)
      return logged
    },
    since(fromId) {
      if (!Number.isSafeInteger(fromId) || fromId < 0 || fromId > lastId) return undefined
      const oldest = Math.max(1, lastId - capacity + 1)
      if (fromId + 1 < oldest) return undefined
      return slice(fromId + 1)
    },
    latest(count) {
      return slice(Math.max(1, lastId - Math.min(count, capacity) + 1))
    },
    get lastId() {
      return lastId
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
