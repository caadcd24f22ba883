/**
 * How a beater gets (and keeps) its transport connected: one `connect()` at a
 * time, a deadline on each attempt (a blackholed server would otherwise hold a
 * TCP connect for minutes), and reconnection with backoff after a failure or
 * a lost link. The transport never reconnects on its own (transport.ts).
 */
import type { ClientTransport, ClientTransportHandler } from '../adapter/transport.js'
import { HeartbeatError } from '../errors/heartbeat-error.js'
import type { Clock, TimerHandle } from '../time/clock.js'
import type { BackoffOptions } from './backoff.js'
import { backoffDelay } from './backoff.js'

export interface ConnectorOptions {
  readonly transport: ClientTransport
  readonly handler: ClientTransportHandler
  readonly clock: Clock
  readonly maxFrameBytes: number
  readonly backoff: Required<BackoffOptions>
  readonly random: () => number
  readonly connectTimeoutMs: number
  /** Whether the beater still runs: a settled attempt of a stopped beater does nothing. */
  isRunning(): boolean
  /** The transport connected (or reconnected). */
  onConnected(): void
  /** An attempt failed or timed out; a retry is already scheduled. */
  onError(error: unknown, message: string): void
}

export interface Connector {
  /** Starts an attempt now. */
  connect(): void
  /** Schedules the next attempt after the backoff delay (the link went down, or an attempt failed). */
  reconnect(): void
  /** Cancels the scheduled attempt and the pending attempt's deadline. */
  cancel(): void
  /** Attempts scheduled after the first. */
  readonly reconnects: number
}

export function createConnector(options: ConnectorOptions): Connector {
  const { transport, clock, connectTimeoutMs } = options
  let retry: TimerHandle | undefined
  let deadline: TimerHandle | undefined
  let attempt = 0
  let reconnects = 0

  function clearDeadline(): void {
    if (deadline !== undefined) clock.clearTimeout(deadline)
    deadline = undefined
  }

  function connect(): void {
    retry = undefined
    let settled = false
    if (transport.disconnect !== undefined) {
      deadline = clock.setTimeout(() => {
        deadline = undefined
        if (settled || !options.isRunning()) return
        options.onError(new HeartbeatError('HB_ERR_TIMEOUT', `connect did not complete within ${connectTimeoutMs} ms`), '')
        transport.disconnect?.() // aborts the attempt: the pending connect() rejects, and we retry
      }, connectTimeoutMs)
    }
    transport.connect(options.handler, { maxFrameBytes: options.maxFrameBytes }).then(
      () => {
        settled = true
        clearDeadline()
        if (!options.isRunning()) return
        attempt = 0
        options.onConnected()
      },
      (error: unknown) => {
        settled = true
        clearDeadline()
        if (!options.isRunning()) return
        options.onError(error, 'connect failed')
        reconnect()
      },
    )
  }

  function reconnect(): void {
    reconnects++
    retry = clock.setTimeout(connect, backoffDelay(attempt++, options.backoff, options.random))
  }

  return {
    connect,
    reconnect,
    cancel() {
      if (retry !== undefined) clock.clearTimeout(retry)
      retry = undefined
      clearDeadline()
    },
    get reconnects() {
      return reconnects
    },
  }
}
