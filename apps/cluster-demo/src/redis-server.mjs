/**
 * Redis for the demo: `REDIS_URL` if set, else a private redis-server on a
 * free port (no persistence), stopped at the end.
 */
import { redisMissing, startRedisServer } from '@hb/test-redis'

export async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} }
  if (redisMissing !== undefined) throw new Error(`cannot start the demo's Redis (set REDIS_URL, or install it): ${redisMissing}`)
  return startRedisServer()
}
