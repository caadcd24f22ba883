/**
 * Every setting of `hb serve`, in one table: its config-file key, its flag,
 * its environment variable, its kind (how a value is parsed and checked) and
 * its default. Flags, the environment, the config file and the README's flag
 * list all come from here, so they cannot drift apart.
 *
 * Secrets are not in this table as values: only the files that hold them are
 * (`secretFile`, …); their values come from the environment (`secrets.ts`).
 */

/** How a setting's value is read and checked. */
export type OptionKind =
  | 'port' // 0–65535
  | 'ms' // a duration: 1500, "1500ms", "1.5s", "2m"
  | 'count' // a positive integer
  | 'number' // a positive finite number
  | 'boolean'
  | 'text' // a non-empty string
  | 'path' // an HTTP path starting with "/"
  | 'url-list' // http(s) URLs; a flag may repeat, the environment separates them with commas
  | 'event-list' // webhook events: online, offline, suspect, recover
  | 'choice'
  | 'redis-url' // redis:// or rediss://; never echoed in errors (it may hold a password)

/** One setting. */
export interface OptionSpec {
  /** Config-file key (camelCase), also the key of the resolved config. */
  readonly key: string
  readonly kind: OptionKind
  /** What it does, for `hb serve --help` and the README. */
  readonly help: string
  /** Allowed values of a `choice`. */
  readonly choices?: readonly string[]
  /** Default shown in help; the value itself is applied by `resolveServerConfig`. */
  readonly defaultText?: string
  /** Inclusive upper bound of a `count`/`number`/`ms`. */
  readonly max?: number
}

export const serveOptions: readonly OptionSpec[] = [
  { key: 'udp', kind: 'port', help: 'serve UDP on this port' },
  { key: 'tcp', kind: 'port', help: 'serve TCP on this port' },
  { key: 'ws', kind: 'port', help: 'serve WebSocket on this port' },
  { key: 'http', kind: 'port', help: 'serve HTTP beats (POST) on this port' },
  { key: 'host', kind: 'text', help: 'interface the transports listen on', defaultText: '0.0.0.0' },
  { key: 'wsPath', kind: 'path', help: 'accept WebSocket upgrades at this path only', defaultText: 'any path' },
  { key: 'httpPath', kind: 'path', help: 'accept HTTP beats at this path only', defaultText: 'any path' },
  { key: 'adminHost', kind: 'text', help: 'interface of the admin API and dashboard (not loopback: a token is required)', defaultText: '127.0.0.1' },
  { key: 'adminPort', kind: 'port', help: 'port of the admin API and dashboard', defaultText: '7940' },
  { key: 'adminTokenFile', kind: 'text', help: 'file holding the admin bearer token (or env HB_ADMIN_TOKEN)' },
  { key: 'secretFile', kind: 'text', help: 'file holding the shared secret (or env HB_SECRET)' },
  { key: 'masterKeyFile', kind: 'text', help: 'file holding the master key for per-peer derived keys (or env HB_MASTER_KEY)' },
  { key: 'keyCacheSize', kind: 'count', help: 'derived peer keys kept in memory (least recently used go first)', defaultText: '100000' },
  { key: 'timeoutMs', kind: 'ms', help: 'a peer with no valid beat for this long is offline', defaultText: '15s' },
  { key: 'suspectAfterMs', kind: 'ms', help: 'fixed detector: suspect after this long without a beat', defaultText: 'none' },
  { key: 'detector', kind: 'choice', choices: ['fixed', 'phi'], help: 'failure detector: fixed timeout or phi accrual', defaultText: 'fixed' },
  { key: 'phiThreshold', kind: 'number', help: 'phi detector: phi at which a peer is dead', defaultText: '8' },
  { key: 'phiSuspectThreshold', kind: 'number', help: 'phi detector: phi at which a peer is suspect', defaultText: 'threshold / 2' },
  { key: 'phiMaxTimeoutMs', kind: 'ms', help: 'phi detector: a peer is dead after at most this long without a beat', defaultText: 'none' },
  { key: 'tickMs', kind: 'ms', help: 'timing wheel granularity: offline fires at most one tick late', defaultText: 'timeout / 20, 10 to 100 ms' },
  { key: 'maxPeers', kind: 'count', help: 'most peers tracked at once', defaultText: '1000000' },
  { key: 'maxFrameBytes', kind: 'count', help: 'largest frame accepted', defaultText: '2048' },
  { key: 'skewMs', kind: 'ms', help: 'largest accepted wall-clock difference in a frame', defaultText: '30s' },
  { key: 'riseBeats', kind: 'count', max: 255, help: 'beats a dead peer needs to come back online', defaultText: '1' },
  { key: 'linkDown', kind: 'choice', choices: ['suspect', 'offline', 'ignore'], help: 'what a dropped TCP/WS connection does to a live peer', defaultText: 'suspect' },
  { key: 'helloTimeoutMs', kind: 'ms', help: 'a connection with no valid frame within this time is closed', defaultText: '10s' },
  { key: 'forgetAfterMs', kind: 'ms', help: 'a dead or left peer is forgotten this long after its last frame', defaultText: '60s' },
  { key: 'loopLagToleranceMs', kind: 'ms', help: 'local-health guard: loop lag past which peers are not convicted', defaultText: 'max(1s, 4 ticks)' },
  { key: 'acks', kind: 'boolean', help: 'ack frames (false: one-way mode, beaters need --no-acks)', defaultText: 'true' },
  { key: 'redisUrl', kind: 'redis-url', help: 'share presence with every hb serve of the namespace through this Redis (a URL with a password: env or --redis-url-file only)', defaultText: 'none: this process alone' },
  { key: 'redisUrlFile', kind: 'text', help: 'file holding the Redis URL (or env HB_REDIS_URL)' },
  { key: 'redisNamespace', kind: 'text', help: 'names the cluster in Redis: every hb serve sharing presence uses the same one', defaultText: 'hb' },
  { key: 'webhooks', kind: 'url-list', help: 'POST peer events to this URL (repeat the flag for several)' },
  { key: 'webhookEvents', kind: 'event-list', help: 'events sent to webhooks: online, offline, suspect, recover', defaultText: 'online,offline' },
  { key: 'webhookSecretFile', kind: 'text', help: 'file holding the webhook signing secret (or env HB_WEBHOOK_SECRET)' },
  { key: 'webhookTimeoutMs', kind: 'ms', help: 'one delivery attempt is abandoned after this long', defaultText: '5s' },
  { key: 'webhookMaxAttempts', kind: 'count', help: 'attempts per delivery before it is counted as failed', defaultText: '6' },
  { key: 'webhookMaxQueue', kind: 'count', help: 'deliveries waiting per URL; past it new ones are dropped and counted', defaultText: '10000' },
  { key: 'webhookBackoffMs', kind: 'ms', help: 'first retry delay; it doubles per attempt, up to 60 s', defaultText: '1s' },
  { key: 'sampleIntervalMs', kind: 'ms', help: 'how often the dashboard chart gets a point', defaultText: '2s' },
  { key: 'eventBufferSize', kind: 'count', help: 'events kept for /api/events resumption (Last-Event-ID)', defaultText: '10000' },
  { key: 'shutdownTimeoutMs', kind: 'ms', help: 'SIGTERM/SIGINT: longest wait for webhooks to flush', defaultText: '10s' },
  { key: 'logLevel', kind: 'choice', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], help: 'log level', defaultText: 'info' },
  { key: 'logFormat', kind: 'choice', choices: ['json', 'pretty'], help: 'JSON lines, or pretty for a terminal', defaultText: 'json' },
]

/** `timeoutMs` → `--timeout-ms`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`
}

/** `timeoutMs` → `HB_TIMEOUT_MS`. */
export function envName(key: string): string {
  return `HB_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`
}
