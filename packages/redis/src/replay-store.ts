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
 * local replay window alone, and counted (see PRESENCE.md, "Replays").
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
  const cache = new Map<string, Mark>()
  const wanted = new Set<string>()
  let queued: string[] = []
  let scheduled = false
  let closed = false
  let fetching: Promise<void> | undefined
  let failedOpen = 0

  function remember(id: string, mark: Mark): void {
    if (closed) return
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string)
    cache.set(id, mark)
  }

  async function fetchQueued(): Promise<void> {
    scheduled = false
    const ids = queued
    queued = []
    for (let start = 0; start < ids.length && !closed; start += BATCH) {
      const slice = ids.slice(start, start + BATCH)
      // Redis unreachable (node-redis queues commands until it returns): fail open after a
      // while, so new peers are not locked out; the local replay window still applies.
      const { clock, retryMs } = context.options
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
      const mark = cache.get(peerId)
      if (mark !== undefined) {
        cache.delete(peerId)
        return mark
      }
      if (closed || wanted.has(peerId)) return 'pending'
      if (wanted.size >= maxEntries) {
        // A burst of new peers larger than the bound (a monitor restarting with a million
        // peers): answering `pending` would evict marks before their peers' next frames and
        // lock the burst out for good. The excess is admitted on the local window alone.
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
