/**
 * Reading the cluster's view: one peer, every peer (bucket by bucket) and the
 * count. Reads run one script per page so that a page is consistent.
 */
import type { ClusterContext } from './cluster-context.js'
import { LUA_READ } from './lua-scripts.js'
import type { PresenceRecord } from './presence-types.js'
import { script } from './redis-connection.js'

const read = script(LUA_READ)

function namesOf(flat: unknown): Map<string, string> {
  const names = new Map<string, string>()
  const list = Array.isArray(flat) ? flat : []
  for (let i = 0; i + 1 < list.length; i += 2) names.set(String(list[i]), String(list[i + 1]))
  return names
}

/** Groups a bucket's fields (`owner|id` → `deadline,…`) into one record per peer. */
function recordsOf(flat: unknown, names: Map<string, string>, timeoutMs: number, only?: string): PresenceRecord[] {
  const list = Array.isArray(flat) ? flat : []
  const byId = new Map<string, { owners: { owner: string; deadline: number }[] }>()
  for (let i = 0; i + 1 < list.length; i += 2) {
    const field = String(list[i])
    const bar = field.indexOf('|')
    if (bar < 0) continue
    const id = field.slice(bar + 1)
    if (only !== undefined && id !== only) continue
    const deadline = Number(String(list[i + 1]).split(',')[0])
    let record = byId.get(id)
    if (record === undefined) byId.set(id, (record = { owners: [] }))
    record.owners.push({ owner: field.slice(0, bar), deadline })
  }
  const records: PresenceRecord[] = []
  for (const [id, { owners }] of byId) {
    owners.sort((a, b) => b.deadline - a.deadline)
    const newest = owners[0] as { owner: string; deadline: number }
    const nameOf = (owner: string): string => names.get(owner) ?? owner
    records.push({
      id,
      state: 'online',
      monitor: nameOf(newest.owner),
      lastSeenMs: newest.deadline - timeoutMs,
      monitors: owners.map((o) => nameOf(o.owner)),
    })
  }
  return records
}

export async function readPeer(context: ClusterContext, id: string, bucket: number): Promise<PresenceRecord | undefined> {
  const { keys, connection, options } = context
  const reply = (await connection.run(read, [keys.names, keys.bucket(bucket)], [])) as unknown[]
  return recordsOf(reply[1], namesOf(reply[0]), options.timeoutMs, id)[0]
}

export async function* readPeers(context: ClusterContext, pageBuckets: number): AsyncGenerator<PresenceRecord> {
  const { keys, connection, options } = context
  const page = Math.max(1, Math.min(4096, Math.floor(pageBuckets)))
  for (let start = 0; start < options.buckets; start += page) {
    const buckets: string[] = []
    for (let b = start; b < Math.min(options.buckets, start + page); b++) buckets.push(keys.bucket(b))
    const reply = (await connection.run(read, [keys.names, ...buckets], [])) as unknown[]
    const names = namesOf(reply[0])
    for (let i = 1; i < reply.length; i++) yield* recordsOf(reply[i], names, options.timeoutMs)
  }
}

export async function readSize(context: ClusterContext): Promise<number> {
  const reply = await context.connection.command(context.keys.count, ['GET', context.keys.count], true)
  return Math.max(0, Number(reply ?? 0))
}
