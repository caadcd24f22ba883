/**
 * The socket tuning the TCP server and client share. Ports, hosts and sizes
 * are checked by the adapter kit (`@hb/core/adapter`); only what is TCP's own
 * lives here.
 */
import { checkDuration } from '@hb/core/adapter'

/** Default delay before the OS sends the first TCP keepalive probe on an idle socket. */
export const DEFAULT_KEEPALIVE_INITIAL_DELAY_MS = 30_000

/** Resolves `keepAliveInitialDelayMs`: a finite number ≥ 0 (0 keeps the OS default delay), `HB_ERR_CONFIG` otherwise. */
export function checkKeepAliveDelay(value: unknown): number {
  return checkDuration('keepAliveInitialDelayMs', value, DEFAULT_KEEPALIVE_INITIAL_DELAY_MS)
}
