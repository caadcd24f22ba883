/**
 * Reconnection delays: exponential backoff with full jitter (each delay is
 * uniform in [0, min(maxDelayMs, initialDelayMs · 2^attempt)]), so a fleet of
 * clients that lost the same server does not reconnect in lockstep.
 */
import { configError } from '../errors/heartbeat-error.js'

export interface BackoffOptions {
  /** The cap of the first delay. Default 500. */
  initialDelayMs?: number
  /** The largest cap. Default 30 000. */
  maxDelayMs?: number
}

/** The delay before reconnection attempt number `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: Required<BackoffOptions>, random: () => number): number {
  const cap = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 52))
  return Math.floor(random() * cap)
}

export function resolveBackoff(options: BackoffOptions = {}): Required<BackoffOptions> {
  const initialDelayMs = options.initialDelayMs ?? 500
  const maxDelayMs = options.maxDelayMs ?? 30_000
  if (!(initialDelayMs > 0) || !Number.isFinite(initialDelayMs)) throw configError('reconnect.initialDelayMs must be a positive finite number')
  if (!(maxDelayMs >= initialDelayMs) || !Number.isFinite(maxDelayMs)) throw configError('reconnect.maxDelayMs must be finite and >= initialDelayMs')
  return { initialDelayMs, maxDelayMs }
}
