import { createConnection } from 'node:net'
import { createClient } from 'redis'
import { describe, expect, it } from 'vitest'
import { CLUSTER_SLOTS, requireRedis, startRedisCluster, startRedisServer } from '../src/index.js'

const available = requireRedis('@hb/test-redis tests')

/** Resolves whether something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe.skipIf(!available)('private redis-server', () => {
  it('starts empty on a free port, restarts empty on the same port, and stop() frees the port', async () => {
    const server = await startRedisServer()
    const client = createClient({ url: server.url, socket: { reconnectStrategy: false } }).on('error', () => {})
    try {
      await client.connect()
      expect(await client.configGet('save')).toEqual({ save: '' })
      await client.sendCommand(['SET', 'k', 'v'])
      await client.close()
      const pid = server.pid
      await server.restart()
      expect(server.pid).not.toBe(pid)
      const again = createClient({ url: server.url }).on('error', () => {})
      await again.connect()
      expect(await again.sendCommand(['DBSIZE'])).toBe(0)
      await again.close()
    } finally {
      await server.stop()
    }
    expect(await listening(server.port)).toBe(false)
  })

  it('a 3-master cluster serves every slot, each node its own range', async () => {
    const cluster = await startRedisCluster({ masters: 3 })
    try {
      expect(cluster.ranges).toEqual([[0, 5460], [5461, 10921], [10922, 16383]])
      expect(cluster.nodeOfSlot(CLUSTER_SLOTS - 1)).toBe(2)
      for (const [i, node] of cluster.nodes.entries()) {
        const client = createClient({ url: node.url }).on('error', () => {})
        await client.connect()
        const slots = (await client.sendCommand(['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][]
        const served = slots.map(([low, high, [host, port]]) => [low, high, host, port])
        expect(served.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(cluster.ranges.map(([low, high], j) => [low, high, '127.0.0.1', cluster.nodes[j]?.port]))
        expect(String(await client.sendCommand(['CLUSTER', 'INFO']))).toContain('cluster_state:ok')
        expect(cluster.nodes[i]?.busPort).toBeGreaterThan(0)
        await client.close()
      }
    } finally {
      await cluster.stop()
    }
    for (const node of cluster.nodes) expect(await listening(node.port)).toBe(false)
  })
})
