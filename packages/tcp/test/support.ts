/**
 * Test helpers: a monitor and beaters on one fake clock over real loopback
 * sockets (time moves only when a test says so; bytes move for real), raw
 * sockets that speak the length-prefixed wire format by hand, and waiting on
 * events with a deadline (never sleeping).
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import type { BeaterOptions } from '@hb/core'
import type { TransportAddress } from '@hb/core/adapter'
import { signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import { createTestbed as createCoreTestbed, createWaiter, watchLinks } from '@hb/core/testing'
import type { FakeClock } from '@hb/core/testing'
import { createFrameDecoder, createTcpClient, encodeFrame } from '../src/index.js'

export const SECRET = 'tcp-test-secret'
export const KEY = new TextEncoder().encode(SECRET)
export const WAIT_MS = 5000
/** Every beater here beats exactly this often (no jitter), on the fake clock. */
export const INTERVAL_MS = 1000

export { createWaiter }

export { watchLinks }

/**
 * The core's testbed (one fake clock, real sockets) with TCP beaters:
 * `beat(id, address)` beats to a TCP server at `address`.
 */
export function createTestbed() {
  const bed = createCoreTestbed({ secret: SECRET, intervalMs: INTERVAL_MS, waitMs: WAIT_MS })
  return {
    ...bed,
    beat: (id: string, address: TransportAddress, options: Partial<BeaterOptions> = {}) =>
      bed.beat(id, createTcpClient({ host: address.host, port: address.port }), options),
  }
}

/** A signed binary frame for `peerId`, fresh by `clock`'s wall time. */
export function signedFrame(peerId: string, clock: FakeClock, fields: Partial<FrameFields> = {}): Uint8Array {
  const now = clock.wallNow()
  return signFrame({ type: 'hello', peerId, keyId: '', incarnation: now, seq: 0, timestampMs: now, intervalMs: INTERVAL_MS, ...fields }, KEY, 'binary')
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
    /** Its own port, read while connected (a closed socket forgets it). */
    localPort: socket.localPort,
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
