/**
 * A presence's options, defaults and validation, and the timing they imply.
 */
import { HeartbeatError, systemClock } from '@hb/core'
import type { Clock } from '@hb/core'
import { hostname } from 'node:os'
import type { RedisPresenceOptions } from './presence-types.js'

export interface ResolvedPresenceOptions {
  readonly namespace: string
  readonly name: string
  readonly timeoutMs: number
  readonly leaseMs: number
  readonly buckets: number
  readonly streamMaxLength: number
  readonly clock: Clock
  /**
   * How far a monitor's written deadline of a peer may lag its true one:
   * reaping waits this long past a written deadline. `leaseMs + timeoutMs / 3`
   * less a margin for the reaper's own delays, so a dead process's peers are
   * reaped at most `leaseMs + timeoutMs / 3` late.
   */
  readonly slackMs: number
  /** Every held peer is looked at once per sweep. */
  readonly sweepMs: number
  /**
   * A peer is rewritten when its local deadline moved this far, less its beat
   * interval and the measured lag, past the written one (slack − sweep − margin):
   * its next beat may move it by a whole interval before the next sweep sees it.
   */
  readonly rewriteMs: number
  readonly renewMs: number
  /** Delay before retrying after a failed Redis call. */
  readonly retryMs: number
  /** Reap passes for one dead process run at most this often. */
  readonly reapEveryMs: number
}

const configError = (message: string): HeartbeatError => new HeartbeatError('HB_ERR_CONFIG', message)

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw configError(`${name} must be a positive finite number, got ${String(value)}`)
  return value
}

export function resolvePresenceOptions(options: RedisPresenceOptions): ResolvedPresenceOptions {
  if (options === null || typeof options !== 'object') throw configError('createRedisPresence needs options')
  if (options.monitor === undefined || typeof options.monitor.on !== 'function') throw configError('monitor must be an @hb/core monitor')
  const namespace = options.namespace ?? 'hb'
  if (typeof namespace !== 'string' || namespace.length === 0 || /[{}]/.test(namespace)) {
    throw configError('namespace must be a non-empty string without { or }')
  }
  const name = options.name ?? `${hostname()}:${process.pid}`
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw configError('name must be a string of 1 to 200 characters')
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 15_000)
  const leaseMs = positive('leaseMs', options.leaseMs, timeoutMs * 1.5)
  const buckets = positive('buckets', options.buckets, 16_384)
  if (!Number.isInteger(buckets) || buckets > 1 << 20) throw configError('buckets must be an integer from 1 to 1 048 576')
  const streamMaxLength = positive('streamMaxLength', options.streamMaxLength, 100_000)
  const third = timeoutMs / 3
  // Covers the reaper's own delays: timers, round trips, a pass over every bucket.
  const marginMs = Math.min(timeoutMs / 10, 2000)
  const slackMs = Math.floor(leaseMs + third - marginMs)
  const sweepMs = Math.max(10, Math.min(third / 4, 2000))
  return {
    namespace,
    name,
    timeoutMs,
    leaseMs,
    buckets,
    streamMaxLength: Math.floor(streamMaxLength),
    clock: options.clock ?? systemClock,
    slackMs,
    sweepMs,
    rewriteMs: Math.max(1, slackMs - sweepMs - marginMs),
    renewMs: leaseMs / 4,
    retryMs: Math.max(10, Math.min(leaseMs / 8, 1000)),
    reapEveryMs: marginMs / 2,
  }
}
