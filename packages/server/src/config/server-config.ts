/**
 * The configuration of `createHbServer` (and so of `hb serve`): its type, its
 * defaults, and its validation. Every key but the secrets is a row of
 * `serveOptions`, so the CLI, the config file and embedders share one check.
 */
import type { KeyInput } from '@hb/core'
import { configError } from './config-error.js'
import { serveOptions } from './config-options.js'
import type { OptionSpec } from './config-options.js'
import { parseOptionValue } from './parse-value.js'
import type { WebhookEventName } from './parse-value.js'

/** What `createHbServer` takes. Durations are milliseconds. See the package README for each key. */
export interface HbServerConfig {
  udp?: number
  tcp?: number
  ws?: number
  http?: number
  host?: string
  wsPath?: string
  httpPath?: string
  adminHost?: string
  adminPort?: number
  /** Bearer token of the admin API; required when `adminHost` is not a loopback address. */
  adminToken?: string
  /** One key shared by every peer. Exactly one of `secret` and `masterKey`. */
  secret?: KeyInput
  /** Master key: each peer signs with `deriveKey(masterKey, peerId)` (`hb derive-key`). */
  masterKey?: KeyInput
  keyCacheSize?: number
  timeoutMs?: number
  suspectAfterMs?: number
  detector?: 'fixed' | 'phi'
  phiThreshold?: number
  phiSuspectThreshold?: number
  phiMaxTimeoutMs?: number
  tickMs?: number
  maxPeers?: number
  maxFrameBytes?: number
  skewMs?: number
  riseBeats?: number
  linkDown?: 'suspect' | 'offline' | 'ignore'
  helloTimeoutMs?: number
  forgetAfterMs?: number
  loopLagToleranceMs?: number
  acks?: boolean
  /**
   * Share presence through this Redis (`redis://[:password@]host:port[/db]`, `rediss://…`):
   * the API, dashboard, event stream and webhooks then show the cluster's decisions.
   * Without it, presence is this process's monitor alone.
   */
  redisUrl?: string
  /** The cluster's name in Redis: every server sharing presence uses the same one. Default `hb`. */
  redisNamespace?: string
  webhooks?: string[]
  webhookEvents?: WebhookEventName[]
  /** Key of the webhooks' HMAC signature; required when `webhooks` is set. */
  webhookSecret?: KeyInput
  webhookTimeoutMs?: number
  webhookMaxAttempts?: number
  webhookMaxQueue?: number
  webhookBackoffMs?: number
  sampleIntervalMs?: number
  eventBufferSize?: number
  shutdownTimeoutMs?: number
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  logFormat?: 'json' | 'pretty'
}

/** The config with its defaults applied and every value checked. */
export type ResolvedServerConfig = Required<
  Pick<
    HbServerConfig,
    | 'host'
    | 'adminHost'
    | 'adminPort'
    | 'keyCacheSize'
    | 'timeoutMs'
    | 'detector'
    | 'acks'
    | 'redisNamespace'
    | 'webhooks'
    | 'webhookEvents'
    | 'webhookTimeoutMs'
    | 'webhookMaxAttempts'
    | 'webhookMaxQueue'
    | 'webhookBackoffMs'
    | 'sampleIntervalMs'
    | 'eventBufferSize'
    | 'shutdownTimeoutMs'
    | 'logLevel'
    | 'logFormat'
  >
> &
  HbServerConfig

const defaults = {
  host: '0.0.0.0',
  adminHost: '127.0.0.1',
  adminPort: 7940,
  keyCacheSize: 100_000,
  timeoutMs: 15_000,
  detector: 'fixed',
  acks: true,
  redisNamespace: 'hb',
  webhooks: [],
  webhookEvents: ['online', 'offline'],
  webhookTimeoutMs: 5000,
  webhookMaxAttempts: 6,
  webhookMaxQueue: 10_000,
  webhookBackoffMs: 1000,
  sampleIntervalMs: 2000,
  eventBufferSize: 10_000,
  shutdownTimeoutMs: 10_000,
  logLevel: 'info',
  logFormat: 'json',
} as const satisfies Partial<HbServerConfig>

/** Keys that hold secret values: never parsed from a flag, never printed. */
export const secretKeys = ['secret', 'masterKey', 'adminToken', 'webhookSecret'] as const

/** Settings the CLI turns into secret values; they are not keys of `HbServerConfig`. */
const fileKeys = new Set(['adminTokenFile', 'secretFile', 'masterKeyFile', 'webhookSecretFile', 'redisUrlFile'])

const specs = new Map<string, OptionSpec>(serveOptions.filter((spec) => !fileKeys.has(spec.key)).map((spec) => [spec.key, spec]))

function checkSecret(name: string, value: unknown): void {
  if (value === undefined) return
  const empty = typeof value === 'string' ? value === '' : value instanceof Uint8Array ? value.byteLength === 0 : true
  if (empty) throw configError(`${name} must be a non-empty string or Uint8Array`)
}

/** True for `127.0.0.1`, `::1`, `localhost` and the rest of 127/8: addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * Applies defaults and checks every value and the rules between them: one of
 * `secret`/`masterKey`, at least one transport (or transports given to
 * `createHbServer` directly), a token for a non-loopback admin address, a
 * webhook secret for webhooks.
 *
 * @param extraTransports how many transports the embedder passes itself.
 * @throws HeartbeatError `HB_ERR_CONFIG` naming the key (`config.udp: expected …`).
 */
export function resolveServerConfig(config: HbServerConfig, extraTransports = 0): ResolvedServerConfig {
  if (typeof config !== 'object' || config === null) throw configError('config must be an object')
  const resolved: Record<string, unknown> = { ...defaults }
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue
    if ((secretKeys as readonly string[]).includes(key)) {
      checkSecret(`config.${key}`, value)
      resolved[key] = value
      continue
    }
    const spec = specs.get(key)
    if (spec === undefined) throw configError(`config.${key}: unknown setting`)
    resolved[key] = parseOptionValue(spec, value, `config.${key}`)
  }
  const result = resolved as unknown as ResolvedServerConfig
  if ((result.secret === undefined) === (result.masterKey === undefined)) {
    throw configError('set exactly one key: a shared secret (HB_SECRET or --secret-file) or a master key for per-peer keys (HB_MASTER_KEY or --master-key-file)')
  }
  const transports = ['udp', 'tcp', 'ws', 'http'].filter((name) => result[name as 'udp'] !== undefined)
  if (transports.length === 0 && extraTransports === 0) throw configError('no transport: give at least one of --udp, --tcp, --ws, --http')
  if (!isLoopbackHost(result.adminHost) && (result.adminToken === undefined || result.adminToken === '')) {
    throw configError(`admin API on ${result.adminHost} is reachable from other machines: set a token (HB_ADMIN_TOKEN or --admin-token-file)`)
  }
  if (result.webhooks.length > 0 && result.webhookSecret === undefined) {
    throw configError('webhooks are signed: set HB_WEBHOOK_SECRET or --webhook-secret-file')
  }
  if (result.detector === 'fixed' && result.suspectAfterMs !== undefined && result.suspectAfterMs >= result.timeoutMs) {
    throw configError('suspectAfterMs must be less than timeoutMs')
  }
  if (/[{}]/.test(result.redisNamespace)) throw configError('redisNamespace must not contain { or }')
  return result
}
