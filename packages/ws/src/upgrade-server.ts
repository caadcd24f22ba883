/**
 * The `http.Server` the standalone WebSocket transport creates for its
 * upgrades, with every phase before the upgrade bounded.
 *
 * Node's defaults hold a socket that never upgrades for a long time: a
 * connection that sends nothing, or sends its headers one byte at a time,
 * lasts `headersTimeout` (60 s) plus up to one `connectionsCheckingInterval`
 * (30 s), a slow body `requestTimeout` (300 s). An upgraded link that never
 * authenticates is closed by the monitor after `helloTimeoutMs` (10 s by
 * default); the HTTP phase before it gets the same budget, so an idle or slow
 * socket costs no more before the upgrade than after it. After the upgrade
 * `ws` clears the socket's idle timeout, and the monitor's deadline applies.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'

/** The HTTP timeouts of a server that only upgrades, derived from one budget. */
export interface UpgradeTimeouts {
  /** A request's headers must be complete by then (`server.headersTimeout`). */
  readonly headersTimeoutMs: number
  /** A whole request must be received by then (`server.requestTimeout`). */
  readonly requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this (`server.keepAliveTimeout`). */
  readonly keepAliveTimeoutMs: number
  /** A socket with no traffic at all is destroyed after this (`server.timeout`). */
  readonly idleTimeoutMs: number
  /** How often Node checks the header and request deadlines (`connectionsCheckingInterval`). */
  readonly checkIntervalMs: number
}

/** Node checks header and request deadlines on an interval: at most 1 s late, never coarser than the budget. */
const MAX_CHECK_INTERVAL_MS = 1000

/** The timeouts for a budget of `upgradeTimeoutMs`: everything before the upgrade ends within it (plus one check). */
export function upgradeTimeouts(upgradeTimeoutMs: number): UpgradeTimeouts {
  return {
    headersTimeoutMs: upgradeTimeoutMs,
    requestTimeoutMs: upgradeTimeoutMs,
    // Plain requests are answered with `connection: close`; a keep-alive wait is never useful here.
    keepAliveTimeoutMs: Math.min(upgradeTimeoutMs, 1000),
    idleTimeoutMs: upgradeTimeoutMs,
    checkIntervalMs: Math.min(upgradeTimeoutMs, MAX_CHECK_INTERVAL_MS),
  }
}

/**
 * Creates the standalone server: every plain HTTP request is answered
 * `426 Upgrade Required`; upgrades are the caller's (`'upgrade'` event).
 */
export function createUpgradeServer(upgradeTimeoutMs: number): Server {
  const timeouts = upgradeTimeouts(upgradeTimeoutMs)
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    (_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'close' })
      response.end('Upgrade Required')
    },
  )
  // Without a 'timeout' listener Node destroys a socket idle for this long.
  server.timeout = timeouts.idleTimeoutMs
  return server
}
