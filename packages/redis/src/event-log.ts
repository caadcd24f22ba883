/**
 * The cluster's events as an async iterator over the Redis stream, on a
 * connection of its own (a blocking read would stall every other command on a
 * shared one). Plain reads start at `$`, `0` or any id; a consumer group reads
 * new entries and acknowledges each when the next one is asked for.
 */
import type { OfflineReason } from '@hb/core'
import type { PresenceEvent, PresenceEventsOptions } from './presence-types.js'
import type { RedisConnection } from './redis-connection.js'

const BLOCK_MS = 1000

type Entry = [id: string, fields: string[]]

/** The entries of an XREAD/XREADGROUP reply for one stream, in RESP2 or RESP3 shape. */
function entriesOf(reply: unknown): Entry[] {
  if (reply === null || reply === undefined) return []
  let streams: unknown[]
  if (Array.isArray(reply)) streams = reply.map((s) => (Array.isArray(s) ? s[1] : s))
  else if (reply instanceof Map) streams = [...reply.values()]
  else streams = Object.values(reply as Record<string, unknown>)
  const first = streams[0]
  return Array.isArray(first) ? (first as Entry[]) : []
}

export function parseEvent(entry: Entry): PresenceEvent | undefined {
  const [id, fields] = entry
  if (!Array.isArray(fields)) return undefined
  const map: Record<string, string> = {}
  for (let i = 0; i + 1 < fields.length; i += 2) map[String(fields[i])] = String(fields[i + 1])
  const type = map.type
  if ((type !== 'online' && type !== 'offline') || map.peer === undefined) return undefined
  const atMs = Number(String(id).split('-')[0])
  const base = { id: String(id), type, peerId: map.peer, monitor: map.monitor ?? '', atMs } as const
  return map.reason === undefined ? base : { ...base, reason: map.reason as OfflineReason }
}

export async function* readEvents(
  open: () => Promise<RedisConnection & { destroy(): void }>,
  key: string,
  options: PresenceEventsOptions,
  closed: AbortSignal,
): AsyncGenerator<PresenceEvent> {
  const { signal, group } = options
  const batch = String(Math.max(1, Math.floor(options.batch ?? 500)))
  if (signal?.aborted === true || closed.aborted) return
  const connection = await open()
  // Aborting destroys the connection, which ends a blocked read at once.
  const onAbort = (): void => connection.destroy()
  signal?.addEventListener('abort', onAbort, { once: true })
  closed.addEventListener('abort', onAbort, { once: true })
  const stop = (): boolean => signal?.aborted === true || closed.aborted
  try {
    let last = options.from ?? '$'
    if (group !== undefined) {
      try {
        await connection.command(key, ['XGROUP', 'CREATE', key, group.name, last, 'MKSTREAM'])
      } catch (error) {
        if (!String((error as Error)?.message).startsWith('BUSYGROUP')) throw error
      }
    } else if (last === '$') {
      // Resolve `$` once: re-reading with `$` would skip what arrived between two reads.
      const newest = (await connection.command(key, ['XREVRANGE', key, '+', '-', 'COUNT', '1'], true)) as Entry[] | null
      last = newest?.[0]?.[0] ?? '0-0'
    }
    while (!stop()) {
      const reply = group === undefined
        ? await connection.command(key, ['XREAD', 'COUNT', batch, 'BLOCK', String(BLOCK_MS), 'STREAMS', key, last], true)
        : await connection.command(key, ['XREADGROUP', 'GROUP', group.name, group.consumer, 'COUNT', batch, 'BLOCK', String(BLOCK_MS), 'STREAMS', key, '>'])
      for (const entry of entriesOf(reply)) {
        last = String(entry[0])
        const event = parseEvent(entry)
        if (event !== undefined && !stop()) yield event
        if (group !== undefined) await connection.command(key, ['XACK', key, group.name, last])
      }
    }
  } catch (error) {
    if (!stop()) throw error
  } finally {
    signal?.removeEventListener('abort', onAbort)
    closed.removeEventListener('abort', onAbort)
    connection.destroy()
  }
}
