/**
 * The time limits of a `node:http` server that hb creates. Node's defaults
 * let a client hold a socket for minutes (60 s to send headers, 300 s for a
 * whole request, no idle limit before the first request), while TCP and WS
 * close a link that has not authenticated after `helloTimeoutMs` (10 s by
 * default). One beat is one small request, so every limit is the same short
 * bound. The README lists the same settings for a server the user creates.
 */
import type { Server, ServerOptions } from 'node:http'

/** Default of `requestTimeoutMs`: the monitor's default `helloTimeoutMs`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000

/**
 * Node enforces `headersTimeout` and `requestTimeout` only when it sweeps its
 * connections (every 30 s by default), so a limit is really the limit plus up
 * to one sweep: sweep a quarter of the limit, at least every second.
 */
export function serverOptionsFor(requestTimeoutMs: number): ServerOptions {
  return { connectionsCheckingInterval: Math.max(1, Math.min(1000, Math.floor(requestTimeoutMs / 4))) }
}

/**
 * Applies `requestTimeoutMs` to a server: the longest a client may take to
 * send a request's headers and its whole body, the longest a keep-alive
 * connection waits for its next request, and the longest any socket may be
 * silent (before its first request too).
 */
export function boundServerTimeouts(server: Server, requestTimeoutMs: number): void {
  server.headersTimeout = requestTimeoutMs
  server.requestTimeout = requestTimeoutMs
  server.keepAliveTimeout = requestTimeoutMs
  // Node destroys a socket that is silent this long (no 'timeout' listener is set).
  server.timeout = requestTimeoutMs
}
