/**
 * Where the server's presence comes from: this process's monitor alone, or,
 * given a Redis URL, the cluster of every server sharing that Redis and
 * namespace (`@hb/redis`). The rest of the server sees a `Presence` either way.
 */
import type { Clock, Monitor } from '@hb/core'
import { createRedisPresence } from '@hb/redis'
import { createClient } from 'redis'
import type { ResolvedServerConfig } from '../config/server-config.js'
import type { Logger } from '../logging/create-logger.js'
import { createClusterPresence } from '../presence/cluster-presence.js'
import type { Presence } from '../presence/presence.js'
import { createLocalPresence } from '../presence/presence.js'

/** A presence and its lifecycle. */
export interface PresenceSource {
  readonly presence: Presence
  /** True once presence is being shared (always, for local presence): `/readyz` waits for it. */
  isStarted(): boolean
  /** Connects to Redis (retrying until it answers or `close()`), joins the cluster, reads its peers. */
  start(): Promise<void>
  /** Leaves the cluster (its peers stay online until their deadline, unless another process holds them) and disconnects. Idempotent. */
  close(): Promise<void>
}

/** `host:port` of a Redis URL: what logs may say about it (the URL itself may hold a password). */
export function redisEndpoint(url: string): string {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port === '' ? '6379' : parsed.port}`
}

/** Shared presence when `config.redisUrl` is set, else this monitor's own. */
export function createPresenceSource(config: ResolvedServerConfig, monitor: Monitor, clock: Clock, logger: Logger): PresenceSource {
  if (config.redisUrl === undefined) {
    const presence = createLocalPresence(monitor, clock)
    return { presence, isStarted: () => true, start: () => Promise.resolve(), close: () => Promise.resolve() }
  }
  const log = logger.child({ component: 'redis', redis: redisEndpoint(config.redisUrl), namespace: config.redisNamespace })
  // Reconnects are retried by the client every few hundred ms: log a failure once until it changes.
  let lastError = ''
  const client = createClient({ url: config.redisUrl }).on('error', (error: Error) => {
    if (error.message === lastError) return
    lastError = error.message
    log.warn({ err: error.message }, 'redis error')
  })
  client.on('ready', () => {
    lastError = ''
  })
  const shared = createRedisPresence({ redis: client, monitor, clock, namespace: config.redisNamespace, timeoutMs: config.timeoutMs })
  shared.on('error', (error) => log.debug({ err: error.message }, 'redis presence call failed (retried)'))
  const cluster = createClusterPresence({
    shared,
    monitor,
    clock,
    refreshMs: config.sampleIntervalMs,
    onError: (error) => log.debug({ err: error.message }, 'reading the cluster peers failed (retried)'),
  })
  let started = false
  let closing: Promise<void> | undefined

  return {
    presence: cluster,
    isStarted: () => started && closing === undefined,
    async start() {
      log.info('connecting to redis')
      await client.connect()
      await shared.start()
      await cluster.start()
      started = true
      log.info({ owner: shared.owner }, 'sharing presence through redis')
    },
    close() {
      closing ??= (async () => {
        cluster.close()
        await shared.close()
        if (client.isReady) await client.close()
        else if (client.isOpen) client.destroy() // still connecting: stop retrying
      })()
      return closing
    },
  }
}
