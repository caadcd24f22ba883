/**
 * @hb/test-redis: private redis-server instances and Redis Clusters for hb's
 * tests, benchmarks and cluster demo (a private workspace package, never
 * published). Types: index.d.ts.
 */
export { redisMissing, redisServerPath, requireRedis } from './availability.js'
export { freePort } from './free-port.js'
export { CLUSTER_SLOTS, startRedisCluster } from './redis-cluster.js'
export { startRedisServer } from './redis-server.js'
