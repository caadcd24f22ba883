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

/**
 * Throws `HB_ERR_CONFIG` naming the first own property of `options` that is
 * not in `known`, with the closest known name when one is near. Plain
 * JavaScript has no excess-property check, and an option misspelt (or one of
 * the other role's) would otherwise be ignored without a word: a beater given
 * the monitor's `acks: false` kept asking a one-way monitor for acks, lost its
 * server and reconnected in a loop. Build `known` with
 * `satisfies Record<keyof Options, true>`, so it cannot drift from the
 * options interface.
 */
export function checkOptionNames(
  what: string,
  options: object,
  known: Readonly<Record<string, true>>,
  /** Names people give by mistake (the other role's option), with the one they meant. */
  meant: Readonly<Record<string, string>> = {},
): void {
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(known, name)) continue
    const near = Object.hasOwn(meant, name) ? meant[name] : closestName(name, Object.keys(known))
    // The name as written, quoted and cut short: it is the caller's text, not ours.
    const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name)
    throw configError(`${what}: unknown option ${shown}${near === undefined ? '' : ` (did you mean '${near}'?)`}`)
  }
}

/**
 * The known name `name` most likely meant: the same name in another case, else
 * the nearest within two edits, else the longest that contains it or is
 * contained in it (3+ characters); `undefined` if none.
 */
function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase()
  const sameLetters = known.find((k) => k.toLowerCase() === lower)
  if (sameLetters !== undefined) return sameLetters
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best !== undefined || lower.length < 3) return best
  for (const candidate of known) {
    const k = candidate.toLowerCase()
    if (k.length >= 3 && (k.includes(lower) || lower.includes(k)) && (best === undefined || candidate.length > best.length)) best = candidate
  }
  return best
}

/** Levenshtein distance, or `limit` once it is known to be at least that (names are short). */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      current.push(value)
      if (value < rowMin) rowMin = value
    }
    if (rowMin >= limit) return limit
    previous = current
  }
  return Math.min(previous[b.length]!, limit)
}
