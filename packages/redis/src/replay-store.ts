/**
 * The cluster's replay high-water marks for the local monitor: when it meets
 * a peer it does not know, it asks here, synchronously. The first frame of
 * such a peer is answered `pending` (rejected and counted) while the mark is
 * fetched in a batched script call; the next frame finds the mark cached and
 * must be strictly newer than any frame a monitor wrote to Redis. A mark is
 * handed out once and dropped: the monitor then knows the peer, so it is one
 * read per peer per process, not per beat.
 *
 * While Redis does not answer (for `retryMs`), or when more unknown peers come
 * at once than the store holds, it fails open: the peer is accepted on the
 * local replay window alone, and counted (see PROTOCOL.md §10, "Replays across moves and restarts").
 */
import type { ClusterContext } from './cluster-context.js'
import type { ReplayStore } from './core-hooks.js'
import { LUA_MARKS } from './lua-scripts.js'
import { script } from './redis-connection.js'

const marks = script(LUA_MARKS)
const BATCH = 500

export interface ClusterReplayStore extends ReplayStore {
  /** Marks fetched and not yet used, and fetches in flight: both bounded by `maxEntries`. */
  readonly size: number
  /** Peers admitted without the cluster's mark: Redis did not answer, or more unknown peers came at once than `maxEntries`. */
  readonly failedOpen: number
  /** Resolves once no fetch is in flight. */
  idle(): Promise<void>
  close(): void
}

type Mark = { incarnation: number; seq: number } | null

export function createClusterReplayStore(context: ClusterContext, bucketOf: (id: string) => number, onError: (error: Error) => void, maxEntries = 50_000): ClusterReplayStore {
  // Marks not yet asked for again, oldest first, with when they arrived. A mark is kept
  // until its peer's next frame uses it (or a timeout passed: that peer is gone): evicting
  // unused marks under a burst would send every peer of the burst back to `pending`.
  const cache = new Map<string, { mark: Mark; atMs: number }>()
  const { clock, timeoutMs } = context.options
  const wanted = new Set<string>()
  let queued: string[] = []
  let scheduled = false
  let closed = false
  let fetching: Promise<void> | undefined
  let failedOpen = 0

  function remember(id: string, mark: Mark): void {
    if (!closed) cache.set(id, { mark, atMs: clock.now() })
  }

  /** Room for one more fetch: drops marks nobody asked for within a timeout; false if still full. */
  function makeRoom(): boolean {
    const now = clock.now()
    for (const [id, entry] of cache) {
      if (cache.size + wanted.size < maxEntries) break
      if (now - entry.atMs < timeoutMs) break
      cache.delete(id)
    }
    return cache.size + wanted.size < maxEntries
  }

  async function fetchQueued(): Promise<void> {
    scheduled = false
    const ids = queued
    queued = []
    for (let start = 0; start < ids.length && !closed; start += BATCH) {
      const slice = ids.slice(start, start + BATCH)
      // Redis unreachable (node-redis queues commands until it returns): fail open after a
      // while, so new peers are not locked out; the local replay window still applies.
      const { retryMs } = context.options
      const timer = clock.setTimeout(() => {
        for (const id of slice) {
          if (wanted.delete(id)) {
            failedOpen++
            remember(id, null)
          }
        }
      }, retryMs)
      try {
        const keys = [context.keys.owners, ...slice.map((id) => context.keys.bucket(bucketOf(id)))]
        context.calls.marks++
        const reply = (await context.connection.run(marks, keys, slice)) as unknown[]
        slice.forEach((id, i) => {
          const text = String(reply[i] ?? '')
          const [incarnation, seq] = text.split(',').map(Number)
          if (wanted.delete(id)) remember(id, text === '' ? null : { incarnation: incarnation as number, seq: seq as number })
        })
      } catch (error) {
        onError(error as Error)
        for (const id of slice) {
          if (wanted.delete(id)) {
            failedOpen++
            remember(id, null)
          }
        }
      } finally {
        clock.clearTimeout(timer)
      }
    }
  }

  return {
    get size() {
      return cache.size + wanted.size
    },
    get failedOpen() {
      return failedOpen
    },
    lookup(peerId) {
      const entry = cache.get(peerId)
      if (entry !== undefined) {
        cache.delete(peerId)
        return entry.mark
      }
      if (closed || wanted.has(peerId)) return 'pending'
      if (!makeRoom()) {
        // A burst of new peers larger than the bound (a monitor restarting with a million
        // peers): the excess is admitted on the local replay window alone.
        failedOpen++
        return null
      }
      wanted.add(peerId)
      queued.push(peerId)
      if (!scheduled) {
        scheduled = true
        const previous = fetching
        fetching = new Promise<void>((resolve) => queueMicrotask(resolve))
          .then(() => previous)
          .then(fetchQueued)
        const current = fetching
        void current.finally(() => {
          if (fetching === current) fetching = undefined
        })
      }
      return 'pending'
    },
    async idle() {
      for (let round = 0; round < 100 && fetching !== undefined; round++) await fetching
    },
    close() {
      closed = true
      cache.clear()
    },
  }
}
