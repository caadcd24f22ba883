/**
 * The default detector: a peer is dead `timeoutMs` after its last beat, and
 * optionally suspect `suspectAfterMs` after it. The model of the seed
 * heartbeat libraries, and the one to pick when the beat interval is known.
 */
import type { Detector } from './detector.js'
import { configError } from '../errors/heartbeat-error.js'

export interface FixedTimeoutOptions {
  /** Silence after the last beat before the peer is dead (offline, reason `timeout`). Finite, > 0. */
  timeoutMs: number
  /** Silence before the peer is suspect. 0 < suspectAfterMs < timeoutMs; omitted: never suspect. */
  suspectAfterMs?: number
}

/** A fixed-timeout detector. Stateless per peer (`stateSlots` 0). Throws `HB_ERR_CONFIG` on bad options. */
export function fixedTimeout(options: FixedTimeoutOptions): Detector {
  if (typeof options !== 'object' || options === null) throw configError('fixedTimeout needs { timeoutMs }')
  const { timeoutMs, suspectAfterMs } = options
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw configError(`timeoutMs must be a finite number > 0, got ${String(timeoutMs)}`)
  }
  if (
    suspectAfterMs !== undefined &&
    (typeof suspectAfterMs !== 'number' || !(suspectAfterMs > 0) || !(suspectAfterMs < timeoutMs))
  ) {
    throw configError(`suspectAfterMs must be > 0 and < timeoutMs (${timeoutMs}), got ${String(suspectAfterMs)}`)
  }
  const suspectSpanMs = suspectAfterMs ?? Number.POSITIVE_INFINITY

  return Object.freeze({
    kind: 'fixed-timeout',
    stateSlots: 0,
    reset() {},
    observe() {},
    suspectAt: (_state: Float64Array, _offset: number, lastBeatMs: number) => lastBeatMs + suspectSpanMs,
    deadAt: (_state: Float64Array, _offset: number, lastBeatMs: number) => lastBeatMs + timeoutMs,
    suspicion: (_state: Float64Array, _offset: number, lastBeatMs: number, nowMs: number) =>
      Math.max(0, nowMs - lastBeatMs) / timeoutMs,
  })
}
