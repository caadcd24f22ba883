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
  readonly rejected: RejectedInfo[]
  rejectedCount(reason: string): number
}

export async function startMonitor(options: Partial<MonitorOptions>): Promise<Harness> {
  const monitor = createMonitor({ secret: SECRET, ...options })
  const waiter = createEventWaiter()
  const online: string[] = []
  const offline: { id: string; reason: string }[] = []
  const rejected: RejectedInfo[] = []
  monitor.on('online', (peer) => (online.push(peer.id), waiter.notify()))
  monitor.on('offline', (peer, reason) => (offline.push({ id: peer.id, reason }), waiter.notify()))
  monitor.on('rejected', (info) => (rejected.push(info), waiter.notify()))
  await monitor.start()
  return {
    monitor,
    waiter,
    online,
    offline,
    rejected,
    rejectedCount: (reason) => rejected.filter((info) => info.reason === reason).length,
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
