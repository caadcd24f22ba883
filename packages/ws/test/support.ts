/**
 * Test helpers: waiting on events with a deadline (never sleeping), raw `ws`
 * clients that send whatever a test wants, and a monitor whose events are
 * recorded as strings.
 */
import { once } from 'node:events'
import { createMonitor } from '@hb/core'
import { signFrame } from '@hb/core/protocol'
import type { FrameEncoding } from '@hb/core/adapter'
import type { FrameFields } from '@hb/core/protocol'
import type { Monitor, MonitorOptions, ServerTransport } from '@hb/core'
import { WebSocket } from 'ws'
import { createWaiter, recordMonitorEvents } from '@hb/core/testing'

export const SECRET = 'ws-test-secret'
export const KEY = new TextEncoder().encode(SECRET)
export const WAIT_MS = 5000

export { createWaiter }

/** A started monitor on `transport`, its events recorded as `online id`, `offline id reason`, `suspect id`, `rejected reason`. */
export async function startMonitor(transport: ServerTransport, options: Partial<MonitorOptions> = {}) {
  const monitor: Monitor = createMonitor({ secret: SECRET, timeoutMs: 300, tickMs: 10, transports: [transport], ...options })
  const recorder = recordMonitorEvents(monitor, ['online', 'offline', 'suspect', 'rejected'])
  await monitor.start()
  return { monitor, ...recorder }
}

/** A signed frame for `peerId`, fresh by this machine's wall clock. */
export function signedFrame(peerId: string, encoding: FrameEncoding = 'binary', fields: Partial<FrameFields> = {}): Uint8Array {
  const now = Date.now()
  return signFrame({ type: 'hello', peerId, keyId: '', incarnation: now, seq: 0, timestampMs: now, intervalMs: 100, ...fields }, KEY, encoding)
}

/** A raw `ws` client: sends anything, records messages (with their kind), pings and how it closed. */
export async function rawWs(url: string) {
  const socket = new WebSocket(url)
  const messages: { data: Buffer; binary: boolean }[] = []
  const waiter = createWaiter()
  let pings = 0
  let closeCode: number | undefined
  socket.on('message', (data: Buffer, binary: boolean) => {
    messages.push({ data, binary })
    waiter.notify()
  })
  socket.on('ping', () => {
    pings++
    waiter.notify()
  })
  socket.on('error', () => undefined)
  socket.on('close', (code: number) => {
    closeCode = code
    waiter.notify()
  })
  await once(socket, 'open', { signal: AbortSignal.timeout(WAIT_MS) })
  return {
    socket,
    messages,
    pings: () => pings,
    closeCode: () => closeCode,
    untilClosed: (what: string) => waiter.until(() => closeCode !== undefined, what),
    until: waiter.until,
  }
}

/** mulberry32: a small seeded PRNG, so a randomized case can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
