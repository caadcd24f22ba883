/**
 * The few things hb asks of a node-redis client, for a single node
 * (`createClient`) and a cluster (`createCluster`) alike: run a command, run a
 * script (EVALSHA, falling back to EVAL when Redis forgot it, e.g. after a
 * restart), and open a connection of its own for blocking stream reads.
 */
import { HeartbeatError } from '@hb/core'

/** A connected `createClient()` client of `redis` (node-redis, v5 or later). */
export interface RedisClientLike {
  sendCommand(args: string[]): Promise<unknown>
  duplicate(): RedisClientLike
  connect(): Promise<unknown>
  destroy(): void
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** A connected `createCluster()` client of `redis` (node-redis, v5 or later). */
export interface RedisClusterLike {
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>
  duplicate(): RedisClusterLike
  connect(): Promise<unknown>
  destroy(): void
  on(event: 'error', listener: (error: Error) => void): unknown
  readonly masters: unknown
}

export type RedisLike = RedisClientLike | RedisClusterLike

export interface Script {
  readonly source: string
  sha: string | undefined
}

export interface RedisConnection {
  /** Runs `args` (routed by `key` on a cluster). */
  command(key: string, args: string[], readonly?: boolean): Promise<unknown>
  /** Runs a script with these keys (all in one slot) and arguments. */
  run(script: Script, keys: string[], args: string[]): Promise<unknown>
  /** A new connection of the same kind, connected; the caller destroys it. */
  duplicate(): Promise<RedisConnection & { destroy(): void }>
}

const isCluster = (redis: RedisLike): redis is RedisClusterLike => 'masters' in redis

export const script = (source: string): Script => ({ source, sha: undefined })

export function createRedisConnection(redis: RedisLike): RedisConnection {
  if (redis === null || typeof redis !== 'object' || typeof redis.sendCommand !== 'function') {
    throw new HeartbeatError('HB_ERR_CONFIG', 'redis must be a node-redis client (createClient() or createCluster())')
  }
  const send = (key: string, args: string[], readonly = false): Promise<unknown> =>
    isCluster(redis) ? redis.sendCommand(key, readonly, args) : redis.sendCommand(args)

  const connection: RedisConnection = {
    command: send,
    async run(s, keys, args) {
      const key = keys[0] as string
      const tail = [String(keys.length), ...keys, ...args]
      if (s.sha !== undefined) {
        try {
          return await send(key, ['EVALSHA', s.sha, ...tail])
        } catch (error) {
          if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
        }
      }
      // EVAL also caches the script in Redis; learn its sha for next time.
      const result = await send(key, ['EVAL', s.source, ...tail])
      if (s.sha === undefined) s.sha = String(await send(key, ['SCRIPT', 'LOAD', s.source]))
      return result
    },
    async duplicate() {
      const copy = redis.duplicate()
      // A lost connection is retried by node-redis; reads fail and are retried by the caller.
      copy.on('error', () => {})
      await copy.connect()
      const wrapped = createRedisConnection(copy)
      return { ...wrapped, destroy: () => copy.destroy() }
    },
  }
  return connection
}
