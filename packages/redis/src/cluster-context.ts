/**
 * What the parts of a presence share: the connection, the keys, the options,
 * the epoch and owner index this process knows, and how a script is called
 * with the arguments every write script starts with (see lua-prelude.ts).
 */
import type { PresenceKeys } from './keys.js'
import { fixedKeys } from './keys.js'
import type { ResolvedPresenceOptions } from './presence-options.js'
import type { RedisConnection, Script } from './redis-connection.js'

export type CallKind = 'upsert' | 'release' | 'lease' | 'reap' | 'marks'

export interface ClusterContext {
  readonly connection: RedisConnection
  readonly keys: PresenceKeys
  readonly options: ResolvedPresenceOptions
  /** The namespace's epoch as last seen; changes when Redis lost its data. */
  epoch: string
  /** This process's owner index ('' before the first lease). */
  owner: string
  readonly calls: Record<CallKind, number>
  /** Runs a write script: fixed keys + `keys`, common arguments + `args`. Replies are arrays. */
  call(kind: CallKind, script: Script, keys: string[], args: string[]): Promise<unknown[]>
}

export function createClusterContext(
  connection: RedisConnection,
  keys: PresenceKeys,
  options: ResolvedPresenceOptions,
  clusterNow: (() => number) | undefined,
): ClusterContext {
  const fixed = fixedKeys(keys)
  const context: ClusterContext = {
    connection,
    keys,
    options,
    epoch: '',
    owner: '',
    calls: { upsert: 0, release: 0, lease: 0, reap: 0, marks: 0 },
    async call(kind, script, extraKeys, extraArgs) {
      context.calls[kind]++
      const now = clusterNow === undefined ? '-1' : String(Math.floor(clusterNow()))
      const common = [context.epoch, context.owner, now, String(options.leaseMs), String(options.streamMaxLength), options.name]
      const reply = await connection.run(script, [...fixed, ...extraKeys], [...common, ...extraArgs])
      return Array.isArray(reply) ? reply : [reply]
    },
  }
  return context
}

/** Converts a Redis time (ms) to this process's clock, given a pair read together. */
export function toLocalMs(redisMs: number, redisNow: number, localNow: number): number {
  return localNow + (redisMs - redisNow)
}
