/**
 * What the monitor tells its listeners: the events, what each carries, and
 * the one place that delivers them to `on(...)` listeners and to the async
 * iterators of `monitor.events()`.
 */
import { createEventStream } from '../events/event-stream.js'
import type { EventStreamOptions, EventStreamSink } from '../events/event-stream.js'
import { createEmitter } from '../events/typed-emitter.js'
import type { EmitterCore } from '../events/typed-emitter.js'
import type { OfflineReason } from '../liveness/transition.js'
import type { RejectReason } from '../errors/reject-reason.js'
import type { Peer } from './peer.js'

/** What a `rejected` event carries. Never contains key material or frame bytes. */
export interface RejectedInfo {
  readonly reason: RejectReason
  readonly transport: string
  readonly remoteAddress: string
  /** The peer id the frame claimed. Unauthenticated for `malformed`, `unknown-key` and `bad-signature`. */
  readonly peerId?: string
  readonly detail: string
}

/** What a `misconfigured` event carries: a setting the peer and the monitor must share, and do not. */
export interface MisconfiguredInfo {
  /** `interval-too-long`: the peer's announced interval is at or past half the monitor's timeout. */
  readonly code: 'interval-too-long'
  /** The interval the peer announced in its `hello`. */
  readonly intervalMs: number
  /** The monitor's timeout for the peer. */
  readonly timeoutMs: number
  readonly detail: string
}

export type MonitorListeners = {
  online: (peer: Peer) => void
  offline: (peer: Peer, reason: OfflineReason) => void
  suspect: (peer: Peer) => void
  recover: (peer: Peer) => void
  rejected: (info: RejectedInfo) => void
  /**
   * A peer announced an interval so long that one lost beat can take it
   * offline (at or past half the timeout). It still counts as alive; fix its
   * `intervalMs`, or leave it unset so it beats at the monitor's pace.
   */
  misconfigured: (peer: Peer, info: MisconfiguredInfo) => void
}

export type MonitorEvent =
  | { readonly type: 'online' | 'suspect' | 'recover'; readonly peer: Peer }
  | { readonly type: 'offline'; readonly peer: Peer; readonly reason: OfflineReason }
  | { readonly type: 'rejected'; readonly info: RejectedInfo }
  | { readonly type: 'misconfigured'; readonly peer: Peer; readonly info: MisconfiguredInfo }

/** The delivery side of the monitor's events. */
export interface MonitorEvents {
  readonly emitter: EmitterCore<MonitorListeners>
  /** Whether anyone listens to `event` (so the monitor builds a `Peer` only when it is read). */
  wanted(event: MonitorEvent['type']): boolean
  publish(event: MonitorEvent): void
  /** A new async iterator over the events (ended at once if the monitor is closed). */
  stream(options: EventStreamOptions, closed: boolean): AsyncIterableIterator<MonitorEvent>
  /** Ends every iterator and removes every listener. */
  end(): void
}

export function createMonitorEvents(): MonitorEvents {
  const emitter = createEmitter<MonitorListeners>()
  const sinks = new Set<EventStreamSink<MonitorEvent>>()
  return {
    emitter,
    wanted: (event) => sinks.size > 0 || emitter.listenerCount(event) > 0,
    publish(event) {
      for (const sink of sinks) sink.push(event)
      switch (event.type) {
        case 'offline':
          emitter.emit('offline', event.peer, event.reason)
          break
        case 'rejected':
          emitter.emit('rejected', event.info)
          break
        case 'misconfigured':
          emitter.emit('misconfigured', event.peer, event.info)
          break
        default:
          emitter.emit(event.type, event.peer)
      }
    },
    stream(options, closed) {
      const { iterator, sink } = createEventStream<MonitorEvent>(options, () => sinks.delete(sink))
      if (closed) sink.end()
      else sinks.add(sink)
      return iterator
    },
    end() {
      for (const sink of sinks) sink.end()
      sinks.clear()
      emitter.removeAll()
    },
  }
}
