/**
 * Option checks shared by the TCP server and client: both validate the same
 * socket tuning once, synchronously, when the factory is called, so a typo
 * fails at startup rather than at the first connection.
 */
import { HeartbeatError } from '@hb/core'

/** Default delay before the OS sends the first TCP keepalive probe on an idle socket. */
export const DEFAULT_KEEPALIVE_INITIAL_DELAY_MS = 30_000

/** Throws `HB_ERR_CONFIG` unless `port` is an integer from `min` to 65535. */
export function checkPort(port: unknown, min: number): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < min || port > 65_535) {
    throw new HeartbeatError('HB_ERR_CONFIG', `port must be an integer from ${min} to 65535, got ${String(port)}`)
  }
  return port
}

/** Resolves `keepAliveInitialDelayMs`: a finite number ≥ 0 (0 keeps the OS default delay). */
export function checkKeepAliveDelay(value: number | undefined): number {
  if (value === undefined) return DEFAULT_KEEPALIVE_INITIAL_DELAY_MS
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new HeartbeatError('HB_ERR_CONFIG', `keepAliveInitialDelayMs must be a finite number >= 0, got ${String(value)}`)
  }
  return value
}

/** Throws `HB_ERR_CONFIG` unless `value` is a positive integer; returns it, or `fallback` when absent. */
export function checkPositiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new HeartbeatError('HB_ERR_CONFIG', `${name} must be a positive integer, got ${String(value)}`)
  }
  return value
}
