/**
 * What a monitor offers the code that uses it: the `Monitor` interface that
 * `createMonitor` (monitor.ts) returns, and what `stats()` counts. The seam to
 * adapters is `adapter/transport.ts`; the extension points are
 * `extension-points.ts`; the events are `monitor-events.ts`.
 */
import type { TransportKind } from '../adapter/transport.js'
import type { RejectReason } from '../errors/reject-reason.js'
import type { EventStreamOptions } from '../events/event-stream.js'
import type { TypedEmitter } from '../events/typed-emitter.js'
import type { AttachedHandler, ReplayStore } from './extension-points.js'
import type { FrameCounts } from './frame-counters.js'
import type { MonitorEvent, MonitorListeners } from './monitor-events.js'
import type { Peer } from './peer.js'

export interface MonitorStats {
  readonly accepted: number
  readonly rejected: Readonly<Record<RejectReason, number>>
  /** The same counts per transport name (`udp`, `tcp`, …; transports of one name are summed). */
  readonly transports: Readonly<Record<string, FrameCounts>>
  /** Deadlines postponed by the local-health guard (the monitor's loop was blocked). */
  readonly guarded: number
}

export interface Monitor extends TypedEmitter<MonitorListeners> {
  /** Starts every transport in `options.transports`. Rejects (after closing what started) if one cannot start. */
  start(): Promise<void>
  /** Stops every transport and timer. Idempotent; no event is emitted once it was called. */
  close(): Promise<void>
  get(id: string): Peer | undefined
  /** Every tracked peer, including dead and left ones not yet forgotten. Builds one object per peer. */
  peers(): Peer[]
  readonly size: number
  stats(): MonitorStats
  /** The events as an async iterator with a bounded buffer (see `EventStreamOptions`). */
  events(options?: EventStreamOptions): AsyncIterableIterator<MonitorEvent>
  [Symbol.asyncIterator](): AsyncIterableIterator<MonitorEvent>
  /**
   * A handler for a transport that is not in `options.transports`: used by
   * adapters that are mounted into someone else's server (the HTTP handlers).
   */
  attach(transport: { name: string; kind: TransportKind }): AttachedHandler
  /** Installs (or with `undefined` removes) the store consulted for peers this monitor does not know. */
  useReplayStore(store: ReplayStore | undefined): void
}
