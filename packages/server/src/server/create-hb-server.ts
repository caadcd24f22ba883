/**
 * `createHbServer`: what `hb serve` runs, for embedding. One monitor serving
 * the configured transports, its presence shown by the admin API and the
 * dashboard, measured by Prometheus metrics, pushed to webhooks, logged.
 */
import type { Clock, Monitor, ServerTransport } from '@hb/core'
import type { TransportAddress } from '@hb/core/adapter'
import { createMonitor, systemClock } from '@hb/core'
import { Registry } from 'prom-client'
import { createAdminServer } from '../admin/admin-server.js'
import { loadDashboardAssets } from '../admin/dashboard-assets.js'
import { createEventLog } from '../admin/event-log.js'
import { eventId } from '../admin/event-stream-route.js'
import { createSummaryHistory } from '../admin/summary-history.js'
import type { HbServerConfig, ResolvedServerConfig } from '../config/server-config.js'
import { resolveServerConfig } from '../config/server-config.js'
import { createLogger } from '../logging/create-logger.js'
import type { Logger } from '../logging/create-logger.js'
import { registerMonitorMetrics } from '../metrics/register-monitor-metrics.js'
import { registerWebhookMetrics } from '../metrics/register-webhook-metrics.js'
import { createWebhookDispatcher } from '../webhooks/webhook-dispatcher.js'
import { createConfiguredTransports } from './create-transports.js'
import { monitorOptionsFor } from './monitor-options.js'
import { createPresenceSource } from './presence-source.js'

/** What an embedder may supply besides the config. */
export interface HbServerOptions {
  /** Time source for the monitor and every timer of the server. Default `systemClock`. */
  clock?: Clock
  /** A pino logger. Default: one made from `logLevel` and `logFormat`. */
  logger?: Logger
  /** More transports to serve, besides those the config enables (for example one attached to your own http server). */
  transports?: ServerTransport[]
  /** The registry `/metrics` serves. Default: a new one. */
  registry?: Registry
  /** The `fetch` webhooks are posted with. Default `globalThis.fetch`. */
  fetch?: typeof fetch
}

/** A running (or ready to run) hb service. */
export interface HbServer {
  readonly monitor: Monitor
  readonly registry: Registry
  readonly config: ResolvedServerConfig
  /**
   * Starts the transports, then the admin server, then (with `redisUrl`) shared presence:
   * it waits for Redis, retrying, and `/readyz` says not ready until it is shared.
   * Rejects (after closing what started) if one cannot bind.
   */
  start(): Promise<void>
  /** The admin API and dashboard, e.g. `http://127.0.0.1:7940`. */
  adminUrl(): string
  /** Where each transport listens, by name. */
  addresses(): Record<string, TransportAddress | null>
  /**
   * Graceful stop: not ready, stop accepting admin requests, close the
   * transports, give queued webhooks up to `shutdownTimeoutMs` to go out.
   * Idempotent.
   */
  close(): Promise<void>
}

/**
 * Creates the service. Validates the whole config now.
 *
 * ```ts
 * const server = createHbServer({ udp: 7946, secret: process.env.HB_SECRET })
 * await server.start()
 * console.log('dashboard at', server.adminUrl())
 * ```
 * @throws HeartbeatError `HB_ERR_CONFIG` naming the bad setting.
 */
export function createHbServer(input: HbServerConfig, options: HbServerOptions = {}): HbServer {
  const config = resolveServerConfig(input, options.transports?.length ?? 0)
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat })
  const registry = options.registry ?? new Registry()
  const transports = [...createConfiguredTransports(config), ...(options.transports ?? [])]
  const monitor = createMonitor(monitorOptionsFor(config, transports, clock))
  const bootId = Math.floor(clock.wallNow()).toString(36)

  // Where presence comes from: this monitor, or the cluster sharing a Redis (`redisUrl`).
  // Nothing below depends on which one it is.
  const source = createPresenceSource(config, monitor, clock, logger)
  const presence = source.presence
  const log = createEventLog(config.eventBufferSize)
  const history = createSummaryHistory({ presence, clock, intervalMs: config.sampleIntervalMs })
  const webhooks = createWebhookDispatcher({
    urls: config.webhooks,
    secret: config.webhookSecret ?? 'unused',
    events: config.webhookEvents,
    clock,
    timeoutMs: config.webhookTimeoutMs,
    maxAttempts: config.webhookMaxAttempts,
    maxQueue: config.webhookMaxQueue,
    backoffMs: config.webhookBackoffMs,
    logger: logger.child({ component: 'webhooks' }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  })
  const metrics = registerMonitorMetrics(monitor, registry, {
    clock,
    ...(config.detector === 'fixed' ? { timeoutMs: config.timeoutMs } : {}),
  })
  registerWebhookMetrics(webhooks, registry)

  presence.onTransition((event) => {
    const logged = log.append(event)
    webhooks.enqueue(event, eventId(bootId, logged.id))
    const fields = { peer: event.peer.id, transport: event.peer.transport, address: event.peer.address, ...(event.reason === undefined ? {} : { reason: event.reason }) }
    if (event.type === 'online' || event.type === 'offline') logger.info(fields, `peer ${event.type}`)
    else logger.debug(fields, `peer ${event.type}`)
  })
  monitor.on('rejected', (info) => logger.debug({ reason: info.reason, transport: info.transport, address: info.remoteAddress }, 'frame rejected'))

  let ready = false
  let closing: Promise<void> | undefined
  const admin = createAdminServer({
    host: config.adminHost,
    port: config.adminPort,
    token: config.adminToken,
    presence,
    log,
    history,
    registry,
    clock,
    bootId,
    assets: loadDashboardAssets(),
    isReady: () => ready && source.isStarted(),
    logger,
  })

  async function shutdown(): Promise<void> {
    ready = false
    await admin.close()
    // Leave the cluster before the monitor closes: its peers stay online (until their deadline) rather than go offline 'closed'.
    await source.close()
    await monitor.close()
    history.close()
    const queued = webhooks.stats().queued
    if (queued > 0) logger.info({ queued, deadlineMs: config.shutdownTimeoutMs }, 'flushing webhooks')
    await webhooks.drain(config.shutdownTimeoutMs)
    webhooks.close()
    metrics.close()
    const { dropped, failed } = webhooks.stats()
    logger.info({ webhooksDropped: dropped, webhooksFailed: failed }, 'stopped')
  }

  return {
    monitor,
    registry,
    config,
    async start() {
      try {
        await monitor.start()
        await admin.start()
        // The admin API answers (/readyz: not ready) while Redis is being reached.
        await source.start()
      } catch (error) {
        closing ??= shutdown()
        await closing
        throw error
      }
      ready = true
      logger.info({ transports: Object.fromEntries(transports.map((t) => [t.name, t.address()?.port])), admin: admin.url() }, 'hb serving')
    },
    adminUrl: () => admin.url(),
    addresses: () => Object.fromEntries(transports.map((transport) => [transport.name, transport.address()])),
    close() {
      closing ??= shutdown()
      return closing
    },
  }
}
