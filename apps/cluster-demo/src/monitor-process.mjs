/**
 * One monitor of the cluster demo, in its own process: UDP on a free port,
 * shared through Redis. Tells the parent its port, then lives until killed
 * or told to stop. argv: redisUrl name timeoutMs
 */
import { createMonitor } from '@hb/core'
import { createRedisPresence } from '@hb/redis'
import { createUdpServer } from '@hb/udp'
import { createClient } from 'redis'
import { SECRET } from './shared.mjs'

const [redisUrl, name, timeoutText] = process.argv.slice(2)
const timeoutMs = Number(timeoutText)

const redis = createClient({ url: redisUrl })
redis.on('error', () => {}) // node-redis reconnects; the presence retries
await redis.connect()
const server = createUdpServer({ host: '127.0.0.1', port: 0 })
const monitor = createMonitor({ secret: SECRET, timeoutMs, transports: [server] })
const presence = createRedisPresence({ redis, monitor, namespace: 'cluster-demo', name, timeoutMs, leaseMs: timeoutMs })
await monitor.start()
await presence.start()

async function stop() {
  await presence.close()
  await monitor.close()
  await redis.close()
  process.exit(0)
}
process.on('message', (message) => {
  if (message === 'stop') void stop()
})
process.on('disconnect', () => void stop())
process.send({ type: 'ready', port: server.address().port })
