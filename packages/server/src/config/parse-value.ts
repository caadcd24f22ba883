/**
 * Turning one raw setting (a flag's string, an environment variable, a JSON
 * value from the config file, a property given to `createHbServer`) into its
 * typed value, or a config error that names where it came from.
 */
import type { OptionSpec } from './config-options.js'
import { configError } from './config-error.js'

const durationPattern = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Webhook events that can be subscribed to. */
export const webhookEventNames = ['online', 'offline', 'suspect', 'recover'] as const
export type WebhookEventName = (typeof webhookEventNames)[number]

/** A short, safe rendering of a bad value for an error message (never long, never multi-line). */
function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/**
 * Parses a duration in milliseconds: a number, or a string such as `1500`,
 * `1500ms`, `1.5s`, `2m`, `1h`. Returns undefined if it is not one.
 */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = durationPattern.exec(value.trim())
  if (match === null) return undefined
  const ms = Number(match[1]) * unitMs[match[2] ?? 'ms']!
  return ms > 0 && Number.isFinite(ms) ? ms : undefined
}

function parsePort(value: unknown): number | undefined {
  const port = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  return typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined
}

function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === '1' || value === 'yes') return true
  if (value === 'false' || value === '0' || value === 'no') return false
  return undefined
}

function parseList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '')
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[]
  return undefined
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/** True if `text` is a `redis:` or `rediss:` URL with a host. */
function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== ''
  } catch {
    return false
  }
}

/** True if the Redis URL `text` carries a password (which makes the whole URL a secret). */
export function redisUrlHasPassword(text: string): boolean {
  try {
    return new URL(text).password !== ''
  } catch {
    return false
  }
}

/**
 * The typed value of `raw` for `spec`.
 * @param origin names the input in the error: `--udp`, `HB_UDP`, `hb.json: udp`.
 * @throws HeartbeatError `HB_ERR_CONFIG` naming `origin` and what was expected.
 */
export function parseOptionValue(spec: OptionSpec, raw: unknown, origin: string): unknown {
  const fail = (expected: string): never => {
    throw configError(`${origin}: expected ${expected}, got ${show(raw)}`)
  }
  switch (spec.kind) {
    case 'port':
      return parsePort(raw) ?? fail('a port number from 0 to 65535')
    case 'ms': {
      const ms = parseDurationMs(raw) ?? fail('a positive duration such as 500ms, 5s or 2m')
      return spec.max !== undefined && ms > spec.max ? fail(`a duration up to ${spec.max} ms`) : ms
    }
    case 'count': {
      const count = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) return fail('a positive integer')
      return spec.max !== undefined && count > spec.max ? fail(`an integer from 1 to ${spec.max}`) : count
    }
    case 'number': {
      const number = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
      return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : fail('a positive number')
    }
    case 'boolean':
      return parseBoolean(raw) ?? fail('true or false')
    case 'text':
      return typeof raw === 'string' && raw.trim() !== '' ? raw : fail('a non-empty string')
    case 'path':
      return typeof raw === 'string' && raw.startsWith('/') && !raw.includes('?') && !/\s/.test(raw) ? raw : fail('a path starting with "/"')
    case 'choice':
      return typeof raw === 'string' && spec.choices?.includes(raw) === true ? raw : fail(`one of ${spec.choices?.join(', ')}`)
    case 'url-list': {
      const urls = parseList(raw) ?? fail('a list of http(s) URLs')
      const bad = urls.find((url) => !isHttpUrl(url))
      return bad === undefined ? urls : fail(`http: or https: URLs (bad: ${show(bad)})`)
    }
    case 'redis-url':
      // Not shown back: it may hold a password.
      if (typeof raw === 'string' && isRedisUrl(raw.trim())) return raw.trim()
      throw configError(`${origin}: expected a redis:// or rediss:// URL with a host (the value is not shown: it may hold a password)`)
    case 'event-list': {
      const events = parseList(raw) ?? fail(`a list of ${webhookEventNames.join(', ')}`)
      const bad = events.find((event) => !(webhookEventNames as readonly string[]).includes(event))
      if (bad !== undefined || events.length === 0) return fail(`a list of ${webhookEventNames.join(', ')}`)
      return [...new Set(events)]
    }
  }
}
