import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireRedis, startRedisServer } from '@hb/test-redis'
import type { RedisServer } from '@hb/test-redis'
import { createHarness } from './helpers/cluster-harness.js'
import type { ClusterEvent, Harness } from './helpers/cluster-harness.js'

const redisAvailable = requireRedis('@hb/redis presence faults tests')

const TIMEOUT_MS = 3000
const LEASE_MS = 2000
const INTERVAL_MS = 1000

/** Per peer, the sequence of cluster events: `online offline online …`. */
function timeline(events: readonly ClusterEvent[], id: string): string {
  return events.filter((e) => e.id === id).map((e) => e.type).join(' ')
}

describe.skipIf(!redisAvailable)('presence faults (fake clock, real Redis)', () => {
  let server: RedisServer
  let namespaceCounter = 0
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  const harness = (processes = 3): Promise<Harness> =>
    createHarness({ server, processes, timeoutMs: TIMEOUT_MS, leaseMs: LEASE_MS, intervalMs: INTERVAL_MS, namespace: `faults-${++namespaceCounter}` })

  it('a killed process: survivors reap its peers once, never before their deadline, at most leaseMs + timeout/3 after it', async () => {
    const h = await harness()
    try {
      for (let i = 0; i < 6; i++) await h.addPeer(`k${i}`, i % 3)
      await h.step(2000)
      // k0 and k3 beat to process 0, which dies; k3 moves to process 1 just before.
      h.move('k3', 1)
      await h.step(300)
      await h.kill(0)
      const killedAt = h.clock.now()
      await h.step(LEASE_MS + TIMEOUT_MS + TIMEOUT_MS / 3 + 1000)
      const offline = h.events.filter((e) => e.type === 'offline')
      expect(offline.map((e) => e.id)).toEqual(['k0'])
      const deadline = (h.lastBeat.get('k0') as number) + TIMEOUT_MS
      const reapedAt = (offline[0] as ClusterEvent).atMs
      expect(reapedAt).toBeGreaterThanOrEqual(deadline)
      expect(reapedAt).toBeLessThanOrEqual(deadline + LEASE_MS + TIMEOUT_MS / 3)
      expect(reapedAt).toBeGreaterThan(killedAt)
      expect((offline[0] as ClusterEvent).process).not.toBe(0)
      for (let i = 0; i < 6; i++) expect(timeline(h.events, `k${i}`)).toBe(i === 0 ? 'online offline' : 'online')
      expect(await h.presences[1]?.size()).toBe(5)
    } finally {
      await h.close()
    }
  })

  it('a process killed right after a beat that its sweep has not seen yet: the reap still waits for that beat\'s deadline', async () => {
    // Beats every 2100 ms: one beat moves the deadline by more than the slack left after a rewrite
    // threshold that ignored the interval; the presence learns the interval and rewrites earlier.
    const h = await createHarness({ server, processes: 2, timeoutMs: TIMEOUT_MS, leaseMs: LEASE_MS, intervalMs: 2100, namespace: `faults-${++namespaceCounter}` })
    try {
      await h.addPeer('jumpy', 0)
      await h.step(4200) // beats at 0, 2100 and 4200; the sweep after 4200 (every 62.5 ms) has not run
      await h.kill(0)
      await h.step(TIMEOUT_MS + LEASE_MS + TIMEOUT_MS)
      const offline = h.events.filter((e) => e.type === 'offline')
      expect(offline.map((e) => e.id)).toEqual(['jumpy'])
      expect((offline[0] as ClusterEvent).atMs).toBeGreaterThanOrEqual(4200 + TIMEOUT_MS)
    } finally {
      await h.close()
    }
  })

  it('a monitor cut off from Redis: peers that still beat to reachable monitors are never convicted; its own come back without a lost offline', async () => {
    const h = await harness()
    try {
      await h.addPeer('stays', 2) // only ever beats to the cut monitor
      await h.addPeer('wanders', 2)
      await h.step(1500)
      h.cut(2)
      h.move('wanders', 1)
      await h.step(LEASE_MS + TIMEOUT_MS + 2000)
      expect(timeline(h.events, 'wanders')).toBe('online')
      // The cluster cannot hear `stays`: it goes offline once its lease and slack ran out.
      expect(timeline(h.events, 'stays')).toBe('online offline')
      // The monitor itself still tracks it locally.
      expect(h.monitors[2]?.get('stays')?.state).toBe('alive')
      h.heal(2)
      await h.step(LEASE_MS)
      // Healed: it re-registers with a new lease; the peer it holds is online again, once.
      expect(timeline(h.events, 'stays')).toBe('online offline online')
      expect(timeline(h.events, 'wanders')).toBe('online')
      expect(await h.presences[0]?.size()).toBe(2)
    } finally {
      await h.close()
    }
  })

  it('Redis unreachable for everyone: local detection goes on; afterwards no offline is lost and no online repeated', async () => {
    const h = await harness(2)
    try {
      await h.addPeer('a', 0)
      await h.addPeer('b', 1)
      await h.step(1500)
      const local: string[] = []
      h.monitors[0]?.on('offline', (peer) => local.push(peer.id))
      h.cut(0)
      h.cut(1)
      await h.silence('a')
      await h.step(TIMEOUT_MS + 1000)
      expect(local).toEqual(['a']) // the monitor decided on its own
      expect(timeline(h.events, 'a')).toBe('online')
      h.heal(0)
      h.heal(1)
      await h.step(1000)
      expect(timeline(h.events, 'a')).toBe('online offline')
      expect(timeline(h.events, 'b')).toBe('online')
      expect(await h.presences[0]?.size()).toBe(1)
    } finally {
      await h.close()
    }
  })

  it('Redis restarted empty: live peers are registered again, silently; offline still comes once', async () => {
    const h = await harness(2)
    try {
      await h.addPeer('r0', 0)
      await h.addPeer('r1', 1)
      await h.step(1500)
      await server.restart()
      await h.step(2500)
      expect(await h.presences[0]?.size()).toBe(2)
      expect(timeline(h.events, 'r0')).toBe('online')
      expect(timeline(h.events, 'r1')).toBe('online')
      await h.silence('r0')
      await h.step(TIMEOUT_MS + 500)
      expect(timeline(h.events, 'r0')).toBe('online offline')
      expect(await h.presences[1]?.size()).toBe(1)
    } finally {
      await h.close()
    }
  })
})
