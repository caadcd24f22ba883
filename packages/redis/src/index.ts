/**
 * `@hb/redis`: one presence across many hb monitor processes, through Redis.
 * Each process keeps its own monitor (the hot path); Redis decides the
 * cluster's `online` and `offline`, once each, and keeps them in a stream.
 */
export { createRedisPresence } from './redis-presence.js'
export type {
  PresenceEvent,
  PresenceEventsOptions,
  PresenceListeners,
  PresencePeer,
  PresenceRecord,
  PresenceStats,
  RedisPresence,
  RedisPresenceOptions,
} from './presence-types.js'
export type { RedisClientLike, RedisClusterLike, RedisLike } from './redis-connection.js'
export { bucketOf } from './keys.js'
