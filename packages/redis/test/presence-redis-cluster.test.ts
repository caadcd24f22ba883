/**
 * The presence on a real Redis Cluster: three masters (private redis-server
 * nodes, slots split in three), every process on its own node-redis
 * `createCluster` client, on a fake clock. Claim, refresh, release, reap and
 * bye, read back through the event stream, `get`, `peers` and `size`; and the
 * namespace's hash tag proven to keep every command's keys in one slot: each
 * command the presence sends is recorded, every key it names hashes to the
 * namespace's slot, and all of the namespace's data sits on the one master
 * serving that slot (not the node the clients were given to start from).
 */
import { createClient, createCluster } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireRedis, startRedisCluster } from '@hb/test-redis'
import type { RedisCluster } from '@hb/test-redis'
import type { RedisLike } from '../src/redis-connection.js'
import { createHarness } from './helpers/cluster-harness.js'

const redisAvailable = requireRedis('@hb/redis Redis Cluster tests')

const TIMEOUT_MS = 3000
const LEASE_MS = 2000
const INTERVAL_MS = 1000

const newAdmin = (url: string) => createClient({ url })
const newClusterClient = (rootNodes: { url: string }[]) => createCluster({ rootNodes })
type Admin = ReturnType<typeof newAdmin>
type ClusterClient = ReturnType<typeof newClusterClient>

/** The keys a command names: a script's KEYS, else the key it was routed by. */
function keysOf(firstKey: string | undefined, args: string[]): string[] {
  const command = String(args[0]).toUpperCase()
  if (command === 'EVAL' || command === 'EVALSHA') return args.slice(3, 3 + Number(args[2]))
  return firstKey === undefined ? [] : [firstKey]
}

/** `client`, with every command it (and every duplicate of it) sends recorded. */
function recording(client: ClusterClient, sent: { command: string; keys: string[] }[]): RedisLike {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'sendCommand') {
        return (firstKey: string | undefined, readonly: boolean | undefined, args: string[]) => {
          sent.push({ command: String(args[0]).toUpperCase(), keys: keysOf(firstKey, args) })
          return target.sendCommand(firstKey, readonly, args)
        }
      }
      if (property === 'duplicate') return () => recording(target.duplicate(), sent)
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  }) as unknown as RedisLike
}

describe.skipIf(!redisAvailable)('presence on a 3-master Redis Cluster (createCluster, fake clock)', () => {
  let cluster: RedisCluster
  let admins: Admin[] = []
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
    admins = cluster.nodes.map((node) => newAdmin(node.url).on('error', () => {}))
    await Promise.all(admins.map((admin) => admin.connect()))
  }, 20_000)
  afterAll(async () => {
    await Promise.all(admins.map((admin) => admin.close()))
    await cluster?.stop()
  })

  const slotOf = async (key: string): Promise<number> => Number(await admins[0]?.sendCommand(['CLUSTER', 'KEYSLOT', key]))

  /** A namespace whose slot the last node serves: the clients start from the first, so every call is routed. */
  async function namespaceOnLastNode(): Promise<{ namespace: string; slot: number; node: number }> {
    const node = cluster.nodes.length - 1
    for (let n = 0; n < 100; n++) {
      const namespace = `rc-${n}`
      const slot = await slotOf(`{${namespace}}`)
      if (cluster.nodeOfSlot(slot) === node) return { namespace, slot, node }
    }
    throw new Error('no namespace among 100 hashes to the last node')
  }

  it('claim, refresh, release, reap, bye and the event stream; every key in the namespace slot, on one master', async () => {
    const { namespace, slot, node } = await namespaceOnLastNode()
    const sent: { command: string; keys: string[] }[] = []
    const clients: ClusterClient[] = []
    const h = await createHarness({
      processes: 3,
      timeoutMs: TIMEOUT_MS,
      leaseMs: LEASE_MS,
      intervalMs: INTERVAL_MS,
      namespace,
      async connect() {
        const client = newClusterClient(cluster.rootNodes)
        client.on('error', () => {})
        await client.connect()
        clients.push(client)
        return recording(client, sent)
      },
    })
    const errors: Error[] = []
    h.presences.forEach((presence, i) => presence.on('error', (error) => i !== 2 && errors.push(error)))
    try {
      // Claims: a first beat anywhere is one online, in the process that heard it.
      await h.addPeer('a', 0)
      await h.addPeer('b', 1)
      await h.addPeer('c', 2)
      await h.addPeer('d', 0)
      await h.step(2000)
      expect(h.events.map((e) => `${e.process} ${e.type} ${e.id}`).sort()).toEqual(['0 online a', '0 online d', '1 online b', '2 online c'])
      const claims = h.presences.map((p) => p.stats().writes)
      expect(claims).toEqual([2, 1, 1])

      // Refreshes: the written deadlines move on (more writes), and nothing is emitted.
      await h.step(3000)
      const refreshes = h.presences.map((p, i) => p.stats().writes - (claims[i] as number))
      expect(refreshes.every((more) => more >= 1), `refreshes ${refreshes.join(' ')}`).toBe(true)
      expect(h.events).toHaveLength(4)
      expect(await h.presences[1]?.size()).toBe(4)
      expect(await h.presences[1]?.get('a')).toMatchObject({ id: 'a', state: 'online', monitor: 'm0', monitors: ['m0'] })
      const listed: string[] = []
      for await (const peer of h.presences[2]?.peers() ?? []) listed.push(peer.id)
      expect(listed.sort()).toEqual(['a', 'b', 'c', 'd'])

      // A move emits nothing; a silenced peer's last holder releases it: offline once, not early.
      h.move('a', 1)
      await h.silence('b')
      const lastB = h.lastBeat.get('b') as number
      await h.step(TIMEOUT_MS + 500)
      expect(h.events.slice(4).map((e) => `${e.process} ${e.type} ${e.id} ${e.reason}`)).toEqual(['1 offline b timeout'])
      expect(h.events[4]?.atMs).toBeGreaterThanOrEqual(lastB + TIMEOUT_MS)
      expect((await h.presences[0]?.get('a'))?.monitor).toBe('m1')

      // Process 2 dies: a survivor reaps its peer once, no earlier than its deadline, at most leaseMs + timeout/3 after it.
      await h.kill(2)
      const lastC = h.lastBeat.get('c') as number
      await h.step(LEASE_MS + TIMEOUT_MS + TIMEOUT_MS / 3 + 1000)
      const reaped = h.events.slice(5)
      expect(reaped.map((e) => `${e.type} ${e.id} ${e.reason}`)).toEqual(['offline c timeout'])
      expect([0, 1]).toContain(reaped[0]?.process)
      expect(reaped[0]?.atMs).toBeGreaterThanOrEqual(lastC + TIMEOUT_MS)
      expect(reaped[0]?.atMs).toBeLessThanOrEqual(lastC + TIMEOUT_MS + LEASE_MS + TIMEOUT_MS / 3)

      // A bye is offline `left` at once.
      await h.bye('d')
      await h.step(200)
      expect(h.events.slice(6).map((e) => `${e.process} ${e.type} ${e.id} ${e.reason}`)).toEqual(['0 offline d left'])
      expect(await h.presences[0]?.size()).toBe(1)

      // The stream, read from the start through the cluster client, holds the same decisions: per peer, in the same
      // order (across peers, claims decided in one tick may reach their processes in another order than Redis ran them).
      const fromStream: string[] = []
      const signal = AbortSignal.timeout(5000)
      for await (const event of h.presences[1]?.events({ from: '0', signal }) ?? []) {
        fromStream.push(`${event.peerId} ${event.type} ${event.monitor}`)
        if (fromStream.length === h.events.length) break
      }
      const byPeer = (lines: string[]): string[] => [...lines].sort((a, b) => a.split(' ')[0]!.localeCompare(b.split(' ')[0]!))
      // The monitor of a reaped peer's offline is the dead process (it held the peer), not the reaper.
      const heard = h.events.map((e) => `${e.id} ${e.type} m${e.type === 'offline' && e.id === 'c' ? 2 : e.process}`)
      expect(byPeer(fromStream)).toEqual(byPeer(heard))
      expect(errors).toEqual([])

      // Every script ran, and every key any command named hashes to the namespace's slot.
      const calls = h.presences.slice(0, 2).map((p) => p.stats().calls)
      for (const kind of ['upsert', 'release', 'lease', 'reap', 'marks'] as const) expect(calls.some((c) => c[kind] > 0), kind).toBe(true)
      expect(sent.filter((s) => s.command === 'EVALSHA' || s.command === 'EVAL').length).toBeGreaterThan(50)
      const keys = [...new Set(sent.flatMap((s) => s.keys))]
      expect(keys.length).toBeGreaterThan(5)
      expect(keys.every((key) => key.startsWith(`{${namespace}}:`))).toBe(true)
      expect(new Set(await Promise.all(keys.map(slotOf)))).toEqual(new Set([slot]))

      // And the data is all there: on the master serving that slot, none elsewhere.
      const sizes = await Promise.all(admins.map(async (admin) => Number(await admin.sendCommand(['DBSIZE']))))
      expect(sizes[node]).toBeGreaterThan(0)
      expect(sizes.filter((_, i) => i !== node)).toEqual([0, 0])
      expect(Number(await admins[node]?.sendCommand(['CLUSTER', 'COUNTKEYSINSLOT', String(slot)]))).toBe(sizes[node])
      console.log(`hb-ci-check: redis cluster mode test ran on a 3-master Redis Cluster (${keys.length} keys in slot ${slot})`)
    } finally {
      await h.close()
      for (const client of clients) if (client.isOpen) await client.close()
    }
  })
})
