/**
 * Test helpers: waiting on events with a deadline (never sleeping), raw
 * sockets that speak the length-prefixed wire format by hand, and a monitor
 * whose events are recorded as strings.
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { createMonitor } from '@hb/core'
import { signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import type { Monitor, MonitorOptions, ServerTransport } from '@hb/core'
import { createFrameDecoder, encodeFrame } from '../src/index.js'
import { createWaiter, recordMonitorEvents } from '@hb/core/testing'

export const SECRET = 'tcp-test-secret'
export const KEY = new TextEncoder().encode(SECRET)
export const WAIT_MS = 5000

export { createWaiter }

/** A started monitor on `transport`, its events recorded as `online id`, `offline id reason`, `rejected reason`. */
export async function startMonitor(transport: ServerTransport, options: Partial<MonitorOptions> = {}) {
  const monitor: Monitor = createMonitor({ secret: SECRET, timeoutMs: 300, tickMs: 10, transports: [transport], ...options })
  const recorder = recordMonitorEvents(monitor, ['online', 'offline', 'rejected'])
  await monitor.start()
  const address = transport.address()
  if (address === null) throw new Error('no address after start')
  return { monitor, ...recorder, address }
}

/** A signed binary frame for `peerId`, fresh by this machine's wall clock. */
export function signedFrame(peerId: string, fields: Partial<FrameFields> = {}): Uint8Array {
  const now = Date.now()
  return signFrame({ type: 'hello', peerId, keyId: '', incarnation: now, seq: 0, timestampMs: now, intervalMs: 100, ...fields }, KEY, 'binary')
}

/** A raw `net` client: write whatever bytes you like; frames it receives are decoded for inspection. */
export async function rawClient(port: number) {
  const socket: Socket = connect({ host: '127.0.0.1', port })
  const received: Uint8Array[] = []
  const waiter = createWaiter()
  let closed = false
  const decoder = createFrameDecoder({ maxFrameBytes: 4096, onFrame: (frame) => received.push(frame.slice()) })
  socket.on('data', (chunk: Buffer) => {
    decoder.push(Uint8Array.from(chunk))
    waiter.notify()
  })
  socket.on('error', () => undefined)
  socket.on('close', () => {
    closed = true
    waiter.notify()
  })
  await once(socket, 'connect', { signal: AbortSignal.timeout(WAIT_MS) })
  return {
    socket,
    received,
    isClosed: () => closed,
    sendFrame: (frame: Uint8Array) => socket.write(encodeFrame(frame)),
    untilClosed: (what: string, ms?: number) => waiter.until(() => closed, what, ms),
    untilReceived: (count: number, what: string) => waiter.until(() => received.length >= count, what),
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
