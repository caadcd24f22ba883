/**
 * The monitor's options, their defaults and their validation, apart from the
 * wiring so each can be read (and tested) on its own.
 */
import type { Clock } from '../time/clock.js'
import { systemClock } from '../time/clock.js'
import type { Detector } from '../liveness/detector.js'
import { nominalTimeoutMs } from '../liveness/detector.js'
import { configError } from '../errors/heartbeat-error.js'
import { fixedTimeout } from '../liveness/fixed-timeout.js'
import { DEFAULT_MAX_FRAME_BYTES } from '../wire/frame.js'
import type { LivenessConfig } from '../liveness/transition.js'
import type { KeyOptions } from '../signing/key-resolver.js'
import type { ServerTransport } from '../adapter/transport.js'
import { checkOptionNames } from '../adapter/options.js'

export interface MonitorOptions extends KeyOptions {
  /**
   * A peer with no valid beat for this long is `offline` (reason `timeout`).
   * Default 15 000. Announced in every ack, so beaters without an `intervalMs`
   * beat at a fraction of it. Give this or `detector`, not both.
   */
  timeoutMs?: number
  /**
   * Decides the suspect and dead deadlines. Default `fixedTimeout({ timeoutMs })`.
   * The detector is then the one source of the timeout (its dead deadline for
   * a new peer, see `nominalTimeoutMs`): `tickMs` and the announced timeout
   * come from it. Give this or `timeoutMs`, not both.
   */
  detector?: Detector
  /** Timing wheel granularity: `offline` fires at most one tick after the deadline. Default the timeout / 20, clamped to 10…100. */
  tickMs?: number
  /** Time source. Default `systemClock`; tests pass `createFakeClock()`. */
  clock?: Clock
  /** The transports this monitor serves; `start()` starts them all and `close()` closes them. */
  transports?: readonly ServerTransport[]
  /** Most peers tracked at once; a new peer past it is rejected (`peer-limit`), known peers keep working. Default 1 000 000. */
  maxPeers?: number
  /** Largest frame accepted, in bytes. Default 2048. */
  maxFrameBytes?: number
  /** Largest accepted difference between a frame's timestamp and this machine's wall clock. Default 30 000. */
  skewMs?: number
  /** Beats needed for a dead peer to come back online (hysteresis). Default 1. */
  riseBeats?: number
  /** What a connection transport's link-down does to a live peer. Default `suspect`. */
  linkDown?: LivenessConfig['linkDown']
  /** A connection that sends no valid frame within this time is closed. Default 10 000. */
  helloTimeoutMs?: number
  /** A dead or left peer is forgotten this long after its last frame (never less than 2 × `skewMs`, so replays stay detectable). Default 60 000. */
  forgetAfterMs?: number
  /**
   * Local-health guard: when the monitor's own timer runs this much late, its
   * event loop was blocked and it could not hear beats; peers whose deadline
   * fell in that time get the lost time back instead of being convicted.
   * Default `max(1000, 4 × tickMs)`; `Infinity` disables the guard.
   */
  loopLagToleranceMs?: number
  /**
   * Answer frames with signed acks where the protocol asks for one (default
   * true): every `hello` and `bye`, every beat that carries the ack-requested
   * flag (a beater asks every `ackEvery` beats, and on every beat while an ack
   * is overdue), and every authentic frame refused for its timestamp (a
   * clock-correction ack). `false` is one-way mode, as the seed systems' UDP and
   * TCP beats were: no reply traffic at all; beaters then need `expectAcks: false`.
   */
  acks?: boolean
  /** Closes the monitor when aborted. */
  signal?: AbortSignal
}

export interface ResolvedMonitorOptions {
  readonly detector: Detector
  /** The timeout the detector stands for: the wheel's tick comes from it, and every ack announces it. */
  readonly timeoutMs: number
  readonly tickMs: number
  readonly clock: Clock
  readonly transports: readonly ServerTransport[]
  readonly maxPeers: number
  readonly maxFrameBytes: number
  readonly skewMs: number
  readonly liveness: LivenessConfig
  readonly helloTimeoutMs: number
  readonly forgetAfterMs: number
  readonly loopLagToleranceMs: number
  readonly acks: boolean
}

function positive(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw configError(`${name} must be a positive${allowInfinity ? '' : ' finite'} number, got ${String(value)}`)
  }
  return value
}

/** Every option's name (the compiler keeps it in step with `MonitorOptions`). */
const KNOWN_OPTIONS = {
  secret: true, keys: true, key: true, keyId: true, timeoutMs: true, detector: true, tickMs: true, clock: true, transports: true,
  maxPeers: true, maxFrameBytes: true, skewMs: true, riseBeats: true, linkDown: true, helloTimeoutMs: true,
  forgetAfterMs: true, loopLagToleranceMs: true, acks: true, signal: true,
} as const satisfies Record<keyof MonitorOptions, true>

export function resolveMonitorOptions(options: MonitorOptions): ResolvedMonitorOptions {
  if (typeof options !== 'object' || options === null) throw configError('createMonitor needs an options object')
  checkOptionNames('createMonitor', options, KNOWN_OPTIONS, { expectAcks: 'acks' })
  if (options.detector !== undefined && options.timeoutMs !== undefined) {
    throw configError('give `timeoutMs` or `detector`, not both: a detector carries its own timeout (fixedTimeout({ timeoutMs }))')
  }
  const detector = options.detector ?? fixedTimeout({ timeoutMs: positive('timeoutMs', options.timeoutMs, 15_000) })
  const timeoutMs = Math.ceil(nominalTimeoutMs(detector))
  if (!(timeoutMs >= 1 && timeoutMs <= 0xffff_ffff)) {
    throw configError(`the detector's timeout for a new peer must be 1 … 2^32−1 ms, got ${String(timeoutMs)}`)
  }
  const tickMs = positive('tickMs', options.tickMs, Math.min(100, Math.max(10, Math.round(timeoutMs / 20))))
  const skewMs = positive('skewMs', options.skewMs, 30_000)
  const riseBeats = positive('riseBeats', options.riseBeats, 1)
  if (!Number.isInteger(riseBeats) || riseBeats > 255) throw configError('riseBeats must be an integer from 1 to 255')
  const maxPeers = positive('maxPeers', options.maxPeers, 1_000_000, true)
  const maxFrameBytes = positive('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES)
  const linkDown = options.linkDown ?? 'suspect'
  if (linkDown !== 'suspect' && linkDown !== 'offline' && linkDown !== 'ignore') {
    throw configError(`linkDown must be 'suspect', 'offline' or 'ignore', got ${String(linkDown)}`)
  }
  const transports = options.transports ?? []
  if (transports.length > 254) throw configError('a monitor serves at most 254 transports')
  return {
    detector,
    timeoutMs,
    tickMs,
    clock: options.clock ?? systemClock,
    transports,
    maxPeers,
    maxFrameBytes,
    skewMs,
    liveness: { riseBeats, linkDown },
    helloTimeoutMs: positive('helloTimeoutMs', options.helloTimeoutMs, 10_000),
    forgetAfterMs: Math.max(positive('forgetAfterMs', options.forgetAfterMs, 60_000), 2 * skewMs),
    loopLagToleranceMs: positive('loopLagToleranceMs', options.loopLagToleranceMs, Math.max(1000, 4 * tickMs), true),
    acks: options.acks ?? true,
  }
}
