/**
 * A monitor on real loopback transports with its events recorded, and
 * cleanup that closes everything a test opened.
 */
import { createMonitor } from '@hb/core'
import type { Monitor, MonitorOptions, RejectedInfo } from '@hb/core'
import { createEventWaiter } from '../../src/support/wait-for.js'
import type { EventWaiter } from '../../src/support/wait-for.js'
import { SECRET } from './frames.js'

export interface Harness {
  readonly monitor: Monitor
  readonly waiter: EventWaiter
  readonly online: string[]
  readonly offline: { id: string; reason: string }[]
  /** Every `rejected` event, unless started with `keepRejections: false` (then empty). */
  readonly rejected: RejectedInfo[]
  /** `rejected` events with this reason (counted, also when they are not kept). */
  rejectedCount(reason: string): number
  /** All `rejected` events (counted, also when they are not kept). */
  rejectedTotal(): number
  /** `rejected` events from this transport (counted, also when they are not kept). */
  rejectedOn(transport: string): number
}

export interface HarnessOptions {
  /**
   * Keep every `rejected` event's info (default true). A flood test whose
   * memory bound is measured in this process turns it off: 200,000 kept infos
   * weigh about 55 MiB of RSS, which would be charged to the monitor.
   */
  readonly keepRejections?: boolean
}

export async function startMonitor(options: Partial<MonitorOptions>, harnessOptions: HarnessOptions = {}): Promise<Harness> {
  const monitor = createMonitor({ secret: SECRET, ...options })
  const waiter = createEventWaiter()
  const online: string[] = []
  const offline: { id: string; reason: string }[] = []
  const rejected: RejectedInfo[] = []
  const keep = harnessOptions.keepRejections ?? true
  const byReason = new Map<string, number>()
  const byTransport = new Map<string, number>()
  let total = 0
  const bump = (counts: Map<string, number>, key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1)
  monitor.on('online', (peer) => (online.push(peer.id), waiter.notify()))
  monitor.on('offline', (peer, reason) => (offline.push({ id: peer.id, reason }), waiter.notify()))
  monitor.on('rejected', (info) => {
    total++
    bump(byReason, info.reason)
    bump(byTransport, info.transport)
    if (keep) rejected.push(info)
    waiter.notify()
  })
  await monitor.start()
  return {
    monitor,
    waiter,
    online,
    offline,
    rejected,
    rejectedCount: (reason) => byReason.get(reason) ?? 0,
    rejectedTotal: () => total,
    rejectedOn: (transport) => byTransport.get(transport) ?? 0,
  }
}

/** Runs registered closers after each test, in reverse order. */
export function createCleanup(): { add(fn: () => unknown): void; run(): Promise<void> } {
  const closers: (() => unknown)[] = []
  return {
    add: (fn) => void closers.push(fn),
    async run() {
      for (const fn of closers.splice(0).reverse()) {
        try {
          await fn()
        } catch {
          // a cleanup failure must not hide the test's own result
        }
      }
    },
  }
}
