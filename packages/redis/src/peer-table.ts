/**
 * The peers this process holds in the cluster, with what it last wrote for
 * each (its local deadline at that write) and what it still owes Redis. The
 * sweep walks it in chunks with a cursor that survives insertions and
 * deletions (a Map iterator does), so a million peers never stall the loop.
 */
import type { OfflineReason } from '@hb/core'

export interface HeldPeer {
  readonly id: string
  readonly bucket: number
  /** Local deadline (monotonic ms) last written to Redis; -Infinity if none is there. */
  written: number
  /** The local monitor declared it offline; the release is owed (or in flight). */
  releasing: boolean
  reason: OfflineReason
  /** A write (claim or refresh) is owed. */
  wantWrite: boolean
  /** Queued for the next flush (write or release), so it is queued once. */
  queued: boolean
  /** The last `lastSeenMs` a sweep saw, and the largest gap between beats seen so far (ms). */
  seenAt: number
  gapMs: number
  /** Its next write re-registers it without an `online` event (Redis lost its data; the cluster already saw it online). */
  silent: boolean
}

export interface PeerTable {
  readonly size: number
  get(id: string): HeldPeer | undefined
  /** The entry of `id`, created if absent. */
  ensure(id: string): HeldPeer
  delete(id: string): void
  values(): IterableIterator<HeldPeer>
  /** Up to `count` entries, continuing where the last call stopped; `done` when a full pass ended. */
  nextChunk(count: number): { chunk: HeldPeer[]; done: boolean }
}

export function createPeerTable(bucketOf: (id: string) => number, initialGapMs: number): PeerTable {
  const map = new Map<string, HeldPeer>()
  let cursor: IterableIterator<HeldPeer> | undefined
  return {
    get size() {
      return map.size
    },
    get: (id) => map.get(id),
    ensure(id) {
      let entry = map.get(id)
      if (entry === undefined) {
        entry = { id, bucket: bucketOf(id), written: -Infinity, releasing: false, reason: 'timeout', wantWrite: false, queued: false, silent: false, seenAt: -Infinity, gapMs: initialGapMs }
        map.set(id, entry)
      }
      return entry
    },
    delete(id) {
      map.delete(id)
    },
    values: () => map.values(),
    nextChunk(count) {
      cursor ??= map.values()
      const chunk: HeldPeer[] = []
      while (chunk.length < count) {
        const next = cursor.next()
        if (next.done === true) {
          cursor = undefined
          return { chunk, done: true }
        }
        chunk.push(next.value)
      }
      return { chunk, done: false }
    },
  }
}
