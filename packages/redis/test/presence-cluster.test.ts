import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireRedis, startRedisServer } from '@hb/test-redis'
import type { RedisServer } from '@hb/test-redis'
import { createHarness } from './helpers/cluster-harness.js'
import type { Harness } from './helpers/cluster-harness.js'

const redisAvailable = requireRedis('@hb/redis presence across monitors tests')

const TIMEOUT_MS = 3000
const LEASE_MS = 2000
const INTERVAL_MS = 1000

describe.skipIf(!redisAvailable)('presence across monitors (fake clock, real Redis)', () => {
  let server: RedisServer
  let namespaceCounter = 0
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  async function harness(processes = 2): Promise<Harness> {
    return createHarness({ server, processes, timeoutMs: TIMEOUT_MS, leaseMs: LEASE_MS, intervalMs: INTERVAL_MS, namespace: `cluster-${++namespaceCounter}` })
  }

  it('a first beat anywhere is one online, in the process that heard it', async () => {
    const h = await harness()
    try {
      await h.addPeer('alpha', 0)
      // Its first frame waits for the cluster's replay mark (rejected as `pending`); the next one is accepted.
      await h.step(INTERVAL_MS + 100)
      expect(h.monitors[0]?.stats().rejected.pending).toBe(1)
      expect(h.events).toEqual([{ atMs: INTERVAL_MS, process: 0, type: "online", id: "alpha", lastBeatMs: INTERVAL_MS }])
      expect(await h.presences[1]?.size()).toBe(1)
      const record = await h.presences[1]?.get('alpha')
      expect(record).toMatchObject({ id: 'alpha', state: 'online', monitor: 'm0', monitors: ['m0'] })
      expect(await h.presences[0]?.get('nobody')).toBeUndefined()
    } finally {
      await h.close()
    }
  })

  it('a peer that moves emits nothing; its last holder decides offline, once, no earlier than its deadline', async () => {
    const h = await harness()
    try {
      await h.addPeer('beta', 0)
      await h.step(2000)
      h.move('beta', 1)
      await h.step(TIMEOUT_MS + 500)
      expect(h.events.map((e) => `${e.process} ${e.type}`)).toEqual(['0 online'])
      // Monitor 0 timed the peer out locally by now; the cluster kept it.
      expect(h.monitors[0]?.get('beta')?.state).toBe('dead')
      expect(await h.presences[0]?.size()).toBe(1)
      expect((await h.presences[0]?.get('beta'))?.monitor).toBe('m1')
      await h.silence('beta')
      const last = h.lastBeat.get('beta') as number
      await h.step(TIMEOUT_MS + 500)
      const offline = h.events.filter((e) => e.type === 'offline')
      expect(offline).toEqual([{ atMs: expect.any(Number), process: 1, type: "offline", id: "beta", reason: "timeout", lastBeatMs: last }])
      expect(offline[0]?.atMs).toBeGreaterThanOrEqual(last + TIMEOUT_MS)
      // An owner timeout is decided within a tick or two of the deadline.
      expect(offline[0]?.atMs).toBeLessThanOrEqual(last + TIMEOUT_MS + 2 * Math.round(TIMEOUT_MS / 30))
      expect(await h.presences[0]?.size()).toBe(0)
    } finally {
      await h.close()
    }
  })

  it('bye is offline `left` at once, cluster-wide, even where another monitor still holds the peer', async () => {
    const h = await harness()
    try {
      await h.addPeer('gamma', 1)
      await h.step(1500)
      h.move('gamma', 0)
      await h.step(2000) // its first frame at monitor 0 waits for the replay mark
      await h.bye('gamma')
      const byeAt = h.clock.now()
      await h.step(100)
      expect(h.events.filter((e) => e.id === 'gamma').map((e) => `${e.process} ${e.type} ${e.reason ?? ''}`)).toEqual(['1 online ', '0 offline left'])
      expect(h.events.at(-1)?.atMs).toBeLessThanOrEqual(byeAt + 100)
      // Monitor 1 times it out later: nothing more is emitted.
      await h.step(TIMEOUT_MS + 500)
      expect(h.events.filter((e) => e.id === 'gamma')).toHaveLength(2)
      expect(await h.presences[1]?.size()).toBe(0)
    } finally {
      await h.close()
    }
  })

  it('a frame captured at one monitor is refused by another that never saw the peer (the cluster\'s mark)', async () => {
    const h = await harness()
    try {
      await h.addPeer('zeta', 0)
      await h.step(INTERVAL_MS + 100)
      const captured = h.frames[0]?.[1] as Uint8Array // its second frame, accepted by monitor 0
      await h.step(5 * INTERVAL_MS) // monitor 0 has rewritten the peer since, with a newer mark
      expect(h.inject(1, captured)).toEqual({ accepted: false, reason: 'pending' })
      await h.flushAll() // the mark arrived
      expect(h.inject(1, captured)).toEqual({ accepted: false, reason: 'replay' })
      expect(h.monitors[1]?.get('zeta')).toBeUndefined()
    } finally {
      await h.close()
    }
  })

  it('a consumer group shares the stream: each event reaches exactly one of its consumers', async () => {
    const h = await harness()
    try {
      const controller = new AbortController()
      const seen: string[][] = [[], []]
      const readers = [0, 1].map(async (i) => {
        const events = h.presences[i]!.events({ from: '0', group: { name: 'workers', consumer: `c${i}` }, signal: controller.signal, batch: 1 })
        for await (const event of events) {
          seen[i]?.push(event.peerId)
          if ((seen[0]?.length ?? 0) + (seen[1]?.length ?? 0) >= 4) controller.abort()
        }
      })
      for (let p = 0; p < 4; p++) await h.addPeer(`g${p}`, p % 2)
      await h.step(INTERVAL_MS + 200)
      await Promise.all(readers)
      expect([...(seen[0] ?? []), ...(seen[1] ?? [])].sort()).toEqual(['g0', 'g1', 'g2', 'g3'])
    } finally {
      await h.close()
    }
  })

  it('the event stream holds every decision, readable by another process from any id', async () => {
    const h = await harness()
    try {
      const seen: string[] = []
      const controller = new AbortController()
      const reading = (async () => {
        for await (const event of h.presences[1]!.events({ from: '0', signal: controller.signal })) {
          seen.push(`${event.type} ${event.peerId} ${event.monitor}${event.reason ? ` ${event.reason}` : ''}`)
          if (seen.length === 2) controller.abort()
        }
      })()
      await h.addPeer('epsilon', 0)
      await h.step(INTERVAL_MS + 500)
      await h.silence('epsilon')
      await h.step(TIMEOUT_MS + 200)
      await reading
      expect(seen).toEqual(['online epsilon m0', 'offline epsilon m0 timeout'])
    } finally {
      await h.close()
    }
  })
})
