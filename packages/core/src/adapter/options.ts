/**
 * Option checks every adapter runs when it is created (not at the first
 * packet), so a typo fails at startup with one `HB_ERR_CONFIG` naming the
 * option. One copy here instead of one per adapter.
 */
import { configError } from '../errors/heartbeat-error.js'

/**
 * Throws `HB_ERR_CONFIG` unless `value` is an integer port; 0 ("any free
 * port") only where `allowZero` (servers). Returns it.
 */
export function checkPort(value: unknown, { allowZero }: { allowZero: boolean }): number {
  const min = allowZero ? 0 : 1
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65_535) {
    throw configError(`port must be an integer from ${min} to 65535, got ${String(value)}`)
  }
  return value
}

/**
 * Throws `HB_ERR_CONFIG` unless `value` is a non-empty string; `undefined`
 * returns `fallback` when one is given.
 *
 * Servers: every hb server transport listens on every interface when no host
 * is given, as Node's servers do. A monitor exists to hear peers on other
 * machines, and every frame it accepts is signed, so listening everywhere
 * exposes nothing a key does not guard. (The unauthenticated admin API of
 * `hb serve` is the opposite case and binds 127.0.0.1 by default.)
 */
export function checkHost(value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'string' || value === '') throw configError(`host must be a non-empty string, got ${String(value)}`)
  return value
}

/** Throws `HB_ERR_CONFIG` unless `value` is a positive integer (a size, a count); returns it, or `fallback` when absent. */
export function checkPositiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw configError(`${name} must be a positive integer, got ${String(value)}`)
  }
  return value
}

/** Throws `HB_ERR_CONFIG` unless `value` is a finite number ≥ 0 (a delay in ms); returns it, or `fallback` when absent. */
export function checkDuration(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw configError(`${name} must be a finite number >= 0, got ${String(value)}`)
  }
  return value
}
