/**
 * Records a monitor's events as short strings (`online a`, `offline a timeout`,
 * `suspect a`, `recover a`, `rejected replay`), for tests that assert the exact
 * sequence and wait on it with a deadline instead of sleeping.
 */
import type { Monitor, RejectedInfo } from '../monitor/monitor.js'
import { createWaiter } from './waiter.js'

export type RecordedEvent = 'online' | 'offline' | 'suspect' | 'recover' | 'rejected'

export interface MonitorRecorder {
  /** Every recorded event, in order. */
  readonly events: string[]
  /** The full info of every `rejected` event, if recorded. */
  readonly rejected: RejectedInfo[]
  /** Resolves once `condition()` holds, re-checked on every event; fails after `ms` (default 5000). */
  until(condition: () => boolean, what: string, ms?: number): Promise<void>
}

const allEvents: readonly RecordedEvent[] = ['online', 'offline', 'suspect', 'recover', 'rejected']

/** Starts recording `which` events of `monitor` (default: all of them). */
export function recordMonitorEvents(monitor: Monitor, which: readonly RecordedEvent[] = allEvents): MonitorRecorder {
  const events: string[] = []
  const rejected: RejectedInfo[] = []
  const waiter = createWaiter()
  const record = (event: string): void => {
    events.push(event)
    waiter.notify()
  }
  for (const kind of which) {
    if (kind === 'offline') monitor.on('offline', (peer, reason) => record(`offline ${peer.id} ${reason}`))
    else if (kind === 'rejected') {
      monitor.on('rejected', (info) => {
        rejected.push(info)
        record(`rejected ${info.reason}`)
      })
    } else monitor.on(kind, (peer) => record(`${kind} ${peer.id}`))
  }
  return { events, rejected, until: waiter.until }
}
