/**
 * A private Redis Cluster of `masters` redis-server nodes (no replicas): each
 * node a private server (`startRedisServer({ cluster: true })`), the 16 384
 * slots split into `masters` equal ranges with CLUSTER ADDSLOTS (ADDSLOTSRANGE
 * is Redis 7 only), the
 * nodes joined with CLUSTER MEET, ready once every node reports
 * `cluster_state:ok` and knows every other. `stop()` stops every node.
 */
import { createClient } from 'redis'
import { startRedisServer } from './redis-server.js'

/** Hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16_384

/** The slots of [low, high], as command arguments. @param {[number, number]} range */
const slotsOf = ([low, high]) => Array.from({ length: high - low + 1 }, (_, i) => String(low + i))

/**
 * @param {{ masters?: number, readyTimeoutMs?: number }} [options]
 * @returns {Promise<import('./index.js').RedisCluster>}
 */
export async function startRedisCluster(options = {}) {
  const { masters = 3, readyTimeoutMs = 15_000 } = options
  if (!Number.isInteger(masters) || masters < 1) throw new Error(`masters must be a positive integer, got ${masters}`)
  const started = await Promise.allSettled(Array.from({ length: masters }, () => startRedisServer({ cluster: true })))
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()))
  }
  const failed = started.find((s) => s.status === 'rejected')
  if (failed !== undefined) {
    await stop()
    throw failed.reason
  }
  /** @type {[number, number][]} */
  const ranges = nodes.map((_, i) => [Math.floor((i * CLUSTER_SLOTS) / masters), Math.floor(((i + 1) * CLUSTER_SLOTS) / masters) - 1])
  const admins = nodes.map((node) => createClient({ url: node.url }).on('error', () => {}))
  const [first, ...others] = nodes.map((node, i) => ({ node, admin: admins[i], range: ranges[i] ?? [0, -1] }))
  if (first === undefined) throw new Error('no node started')
  try {
    await Promise.all(admins.map((admin) => admin.connect()))
    await Promise.all([first, ...others].map(({ admin, range }) => admin?.sendCommand(['CLUSTER', 'ADDSLOTS', ...slotsOf(range)])))
    for (const { node } of others) await first.admin?.sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(node.busPort)])
    // The nodes learn about each other by gossip: wait (bounded) until every one sees the whole cluster.
    const deadline = Date.now() + readyTimeoutMs
    for (let round = 0; ; round++) {
      const infos = (await Promise.all(admins.map((admin) => admin.sendCommand(['CLUSTER', 'INFO'])))).map(String)
      const ready = infos.every((text) => text.includes('cluster_state:ok') && text.includes(`cluster_known_nodes:${masters}\r`) && text.includes(`cluster_slots_ok:${CLUSTER_SLOTS}\r`))
      if (ready) break
      if (Date.now() > deadline) throw new Error(`Redis Cluster not ready in ${readyTimeoutMs} ms (${round} checks): ${infos[0]}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } catch (error) {
    await stop()
    throw error
  } finally {
    await Promise.all(admins.map((admin) => (admin.isOpen ? admin.close() : undefined)))
  }
  return {
    nodes,
    rootNodes: [{ url: first.node.url }],
    ranges,
    nodeOfSlot: (slot) => ranges.findIndex(([low, high]) => slot >= low && slot <= high),
    stop,
  }
}
