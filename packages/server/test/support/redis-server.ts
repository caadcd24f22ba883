/**
 * A throwaway redis-server for the shared-presence tests (from @hb/test-redis,
 * shared with @hb/redis, the bench and the cluster demo): 127.0.0.1, a port
 * the OS picked, nothing persisted; `stop()` kills it and waits for the exit.
 * `redisMissing` says why the suite cannot run (undefined when it can).
 */
import { startRedisServer } from '@hb/test-redis'
import type { RedisServer } from '@hb/test-redis'

export { redisMissing } from '@hb/test-redis'

export type TestRedis = RedisServer

export const startTestRedis = (): Promise<TestRedis> => startRedisServer()
