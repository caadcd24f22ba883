/**
 * What a beater tells its listeners, what `stop()` takes, and what it counts.
 */
import type { HeartbeatError } from '../errors/heartbeat-error.js'

export interface AckInfo {
  /** Round trip of this frame, by the beater's clock. */
  readonly rttMs: number
  readonly seq: number
}

/** What a beater's `misconfigured` event carries. */
export interface BeaterMisconfiguredInfo {
  /** `interval-too-long`: the given `intervalMs` is at or past half the timeout the monitor announced. */
  readonly code: 'interval-too-long'
  readonly intervalMs: number
  /** The timeout the monitor announced in its ack. */
  readonly timeoutMs: number
  readonly detail: string
}

export type BeaterListeners = {
  ack: (info: AckInfo) => void
  /** `missedAcks` requested acks in a row went unanswered. Connection transports are then reconnected. */
  'server-lost': (info: { missedAcks: number }) => void
  /** An ack arrived again after `server-lost`. */
  'server-back': (info: AckInfo) => void
  /** The transport connected (or reconnected). */
  connect: () => void
  /** The link went down (connection transports); a reconnect is scheduled. */
  disconnect: (error: Error | undefined) => void
  /** A send or connect failed. The beater keeps going; this is for logging. */
  error: (error: HeartbeatError) => void
  /** The monitor announced a timeout the given `intervalMs` does not fit (once per announced timeout). */
  misconfigured: (info: BeaterMisconfiguredInfo) => void
}

export interface StopOptions {
  /** Send `bye` first so the monitor reports `offline` with reason `left` at once. Default true. */
  bye?: boolean
}

export type StopFunction = (options?: StopOptions) => Promise<void>

export interface BeaterStats {
  readonly sent: number
  readonly acked: number
  readonly rejectedAcks: number
  readonly reconnects: number
}

