import { createFakeClock } from '@hb/core/testing'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClusterContext } from '../src/cluster-context.js'
import { bucketOf, presenceKeys } from '../src/keys.js'
import { resolvePresenceOptions } from '../src/presence-options.js'
import { createRedisConnection } from '../src/redis-connection.js'
import { createClusterReplayStore } from '../src/replay-store.js'
import { requireRedis, startRedisServer } from '@hb/test-redis'
import type { RedisServer } from '@hb/test-redis'
import { startTcpProxy } from './helpers/tcp-proxy.js'

const redisAvailable = requireRedis('@hb/redis cluster replay store tests')

const BUCKETS = 64

describe.skipIf(!redisAvailable)('the cluster replay store', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  async function setup(url: string, namespace: string) {
    const clock = createFakeClock()
    const client = createClient({ url, socket: { reconnectStrategy: () => 20 } })
    client.on('error', () => {})
    await client.connect()
    const options = resolvePresenceOptions({ redis: client, monitor: { on() {} } as never, namespace, buckets: BUCKETS, clock, timeoutMs: 3000 })
    const keys = presenceKeys(namespace)
    const context = createClusterContext(createRedisConnection(client), keys, options, undefined)
    const errors: Error[] = []
    const store = createClusterReplayStore(context, (id) => bucketOf(id, BUCKETS), (e) => errors.push(e), 4)
    return { clock, client, keys, store, errors }
  }

  /** The answer once the fetch the first lookup started has landed. */
  async function settled(store: { lookup(id: string): unknown; idle(): Promise<void> }, id: string) {
    const first = store.lookup(id)
    if (first !== 'pending') return first
    await store.idle()
    return store.lookup(id)
  }

  it('answers pending, then the newest mark any owner wrote, once; null for a peer never seen', async () => {
    const { client, keys, store } = await setup(server.url, 'replay-1')
    try {
      await client.hSet(keys.owners, { '1': '9999999999999', '2': '9999999999999' })
      const bucket = keys.bucket(bucketOf('p', BUCKETS))
      await client.hSet(bucket, { '1|p': '100,1700000000000,41', '2|p': '100,1700000000000,57' })
      expect(await settled(store, 'p')).toEqual({ incarnation: 1_700_000_000_000, seq: 57 })
      expect(store.lookup('p')).toBe('pending') // handed out once: the monitor knows the peer now
      expect(await settled(store, 'stranger')).toBeNull()
      expect(store.size).toBeLessThanOrEqual(4)
    } finally {
      store.close()
      await client.close()
    }
  })

  it('fails open after retryMs when Redis does not answer, and stays bounded', async () => {
    const proxy = await startTcpProxy(server.port)
    const { clock, client, store, errors } = await setup(proxy.url, 'replay-2')
    try {
      proxy.cut()
      const answers = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => store.lookup(id))
      // Four fetches at most in flight; the burst's excess is admitted on the local window.
      expect(answers).toEqual(['pending', 'pending', 'pending', 'pending', null, null])
      expect(store.size).toBeLessThanOrEqual(4)
      await new Promise((resolve) => setImmediate(resolve))
      clock.advance(1000) // retryMs passed without an answer: fail open
      expect(store.lookup('a')).toBeNull()
      expect(store.failedOpen).toBe(6)
      expect(errors).toEqual([])
    } finally {
      store.close()
      client.destroy()
      await proxy.close()
    }
  })
})
