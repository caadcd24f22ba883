/**
 * The beater's options, their defaults and their validation, apart from the
 * wiring so each can be read (and tested) on its own.
 */
import type { BackoffOptions } from './backoff.js'
import { resolveBackoff } from './backoff.js'
import type { Clock } from '../time/clock.js'
import { systemClock } from '../time/clock.js'
import { configError } from '../errors/heartbeat-error.js'
import { DEFAULT_MAX_FRAME_BYTES, MAX_PEER_ID_BYTES, MAX_U32 } from '../wire/frame.js'
import { hasSyncHmac } from '../signing/hmac.js'
import type { KeyOptions, KeyResolver } from '../signing/key-resolver.js'
import { createKeyResolver } from '../signing/key-resolver.js'
import type { ClientTransport } from '../adapter/transport.js'
import { checkOptionNames } from '../adapter/options.js'
import type { BeatPhase } from './beat-phase.js'

export interface BeaterOptions extends KeyOptions {
  /** This peer's id: UTF-8, 1–255 bytes. */
  id: string
  transport: ClientTransport
  /**
   * Time between beats. Default: the monitor's pace, its announced timeout / 6.5
   * (`TIMEOUT_TO_INTERVAL`), learned from the first ack (2308, the pace of a
   * monitor with the default timeout, until then and in one-way mode). Give it
   * only to beat at a pace of your own; one at or past half the monitor's
   * timeout is reported with a `misconfigured` event.
   */
  intervalMs?: number
  /** Spread of each interval as a fraction: it is drawn from intervalMs × [1 − jitter/2, 1 + jitter/2]. Default 0.1. */
  jitter?: number
  /**
   * Where the beats fall in time. `'spread'`: every interval drawn with
   * `jitter`, arrivals spread evenly; the default on UDP and HTTP, where
   * datagrams or requests in bursts could overflow a buffer or a proxy.
   * `'slot'`: intervals within the same range, steered (by at most
   * `intervalMs × jitter/2` each) onto one of the interval's ~100 ms slots of
   * the monitor's clock, chosen at random per beater, so a server reads the
   * beats of a slot together, in batches; the default on connection transports
   * (TCP, WebSocket). Needs `jitter > 0` to steer; intervals under 200 ms are
   * spread.
   */
  phase?: BeatPhase
  /** Ask for an ack on every `ackEvery`-th beat (and on every beat while one is overdue). Default 3; 1 acks every beat. */
  ackEvery?: number
  /** `server-lost` after this many requested acks in a row went unanswered. Default 3. */
  missedAcks?: number
  /**
   * Whether the server acks (default true). `false` for a monitor in one-way
   * mode (`acks: false`): no RTT, and no `server-lost` (nothing to miss).
   */
  expectAcks?: boolean
  /** Backoff between reconnection attempts (connection transports, and failed connects). */
  reconnect?: BackoffOptions
  /**
   * A connection attempt still pending after this long is aborted (through the
   * transport's `disconnect()`) and retried with backoff: a blackholed server
   * would otherwise hold a TCP connect for minutes. Default 10 000.
   */
  connectTimeoutMs?: number
  clock?: Clock
  maxFrameBytes?: number
  /** Source of randomness for jitter, the slot and backoff, [0, 1). Default `Math.random`. */
  random?: () => number
  /** Stops the beater (with `bye`) when aborted. */
  signal?: AbortSignal
  /**
   * Which HMAC implementation signs: `node` (synchronous node:crypto, the default
   * where it exists) or `web` (WebCrypto, asynchronous: the default in browsers).
   */
  crypto?: 'node' | 'web'
}

/** The options after defaults and checks. */
export interface ResolvedBeaterOptions {
  readonly id: string
  readonly transport: ClientTransport
  readonly keys: KeyResolver
  readonly clock: Clock
  /** The interval given by the user; `undefined`: follow the monitor's pace. */
  readonly fixedIntervalMs: number | undefined
  readonly jitter: number
  readonly phase: BeatPhase
  readonly ackEvery: number
  readonly missedAcks: number
  readonly expectAcks: boolean
  readonly backoff: Required<BackoffOptions>
  readonly connectTimeoutMs: number
  readonly maxFrameBytes: number
  readonly random: () => number
  /** Node signs synchronously; a browser has only WebCrypto, which is asynchronous. */
  readonly syncCrypto: boolean
}

const utf8 = new TextEncoder()

/** Every option's name (the compiler keeps it in step with `BeaterOptions`). */
const KNOWN_OPTIONS = {
  id: true, transport: true, secret: true, keys: true, key: true, keyId: true, intervalMs: true, jitter: true, phase: true,
  ackEvery: true, missedAcks: true, expectAcks: true, reconnect: true, connectTimeoutMs: true, clock: true,
  maxFrameBytes: true, random: true, signal: true, crypto: true,
} as const satisfies Record<keyof BeaterOptions, true>

/** Applies the defaults and checks every option. @throws HeartbeatError `HB_ERR_CONFIG` naming the first bad one. */
export function resolveBeaterOptions(options: BeaterOptions): ResolvedBeaterOptions {
  if (typeof options !== 'object' || options === null) throw configError('createBeater needs an options object')
  checkOptionNames('createBeater', options, KNOWN_OPTIONS, { acks: 'expectAcks' })
  const { id, transport } = options
  const idBytes = typeof id === 'string' ? utf8.encode(id).length : 0
  if (idBytes < 1 || idBytes > MAX_PEER_ID_BYTES) throw configError('id must be a string of 1 to 255 UTF-8 bytes')
  const keys = createKeyResolver(options)
  const fixedIntervalMs = options.intervalMs
  if (fixedIntervalMs !== undefined && (!(fixedIntervalMs >= 1) || !Number.isFinite(fixedIntervalMs) || fixedIntervalMs > MAX_U32)) {
    throw configError('intervalMs must be a number from 1 to 2^32-1')
  }
  const ackEvery = options.ackEvery ?? 3
  if (!Number.isInteger(ackEvery) || ackEvery < 1) throw configError('ackEvery must be a positive integer')
  const jitter = options.jitter ?? 0.1
  if (!(jitter >= 0 && jitter <= 1)) throw configError('jitter must be between 0 and 1')
  const phase = options.phase ?? (transport?.kind === 'connection' ? 'slot' : 'spread')
  if (phase !== 'slot' && phase !== 'spread') throw configError("phase must be 'slot' or 'spread'")
  const missedAcks = options.missedAcks ?? 3
  if (!Number.isInteger(missedAcks) || missedAcks < 1) throw configError('missedAcks must be a positive integer')
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000
  if (!(connectTimeoutMs > 0)) throw configError('connectTimeoutMs must be a positive number')
  return {
    id,
    transport,
    keys,
    clock: options.clock ?? systemClock,
    fixedIntervalMs,
    jitter,
    phase,
    ackEvery,
    missedAcks,
    expectAcks: options.expectAcks ?? true,
    backoff: resolveBackoff(options.reconnect),
    connectTimeoutMs,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    random: options.random ?? Math.random,
    syncCrypto: options.crypto === 'web' ? false : hasSyncHmac(),
  }
}
