/**
 * Test helpers: a monitor and beaters on one fake clock over real loopback
 * sockets (time moves only when a test says so; bytes move for real), raw
 * `ws` and TCP clients that send whatever a test wants, and waiting on events
 * with a deadline (never sleeping).
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import { createMonitor } from '@hb/core'
import type { BeaterOptions, Monitor, MonitorOptions, ServerTransport } from '@hb/core'
import type { FrameEncoding } from '@hb/core/adapter'
import { signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import { createTestbed as createCoreTestbed, createWaiter, recordMonitorEvents, watchLinks } from '@hb/core/testing'
import type { FakeClock } from '@hb/core/testing'
import { WebSocket } from 'ws'
import { createWsClient } from '../src/index.js'

export const SECRET = 'ws-test-secret'
export const KEY = new TextEncoder().encode(SECRET)
export const WAIT_MS = 5000
/** Every beater here beats exactly this often (no jitter), on the fake clock. */
export const INTERVAL_MS = 1000

export { createWaiter }

/**
 * A started monitor on the real clock, its events recorded as `online id`,
 * `offline id reason`, `suspect id`, `rejected reason`. Only for the browser
 * test, which drives a real browser's timers; everything else uses `createTestbed`.
 */
export async function startRealTimeMonitor(transport: ServerTransport, options: Partial<MonitorOptions> = {}) {
  const monitor: Monitor = createMonitor({ secret: SECRET, transports: [transport], ...options })
  const recorder = recordMonitorEvents(monitor, ['online', 'offline', 'suspect', 'rejected'])
  await monitor.start()
  return { monitor, ...recorder }
}

export { watchLinks }

/**
 * The core's testbed (one fake clock, real sockets) with WebSocket beaters:
 * `beat(id, url, { encoding })` beats to the WebSocket server at `url`, and
 * `startMonitor` also returns the server's `url`.
 */
export function createTestbed() {
  const bed = createCoreTestbed({ secret: SECRET, intervalMs: INTERVAL_MS, waitMs: WAIT_MS, events: ['online', 'offline', 'suspect', 'rejected'] })
  return {
    ...bed,
    async startMonitor(transport: ServerTransport, options: Partial<MonitorOptions> = {}) {
      const started = await bed.startMonitor(transport, options)
      const { url } = started.address
      if (url === undefined) throw new Error('a WebSocket server reports its url')
      return { ...started, url }
    },
    beat(id: string, url: string, options: Partial<BeaterOptions> & { encoding?: FrameEncoding } = {}) {
      const { encoding, ...beaterOptions } = options
      return bed.beat(id, createWsClient({ url, ...(encoding === undefined ? {} : { encoding }) }), beaterOptions)
    },
  }
}

/** A signed frame for `peerId`, fresh by `clock`'s wall time. */
export function signedFrame(peerId: string, clock: FakeClock, encoding: FrameEncoding = 'binary', fields: Partial<FrameFields> = {}): Uint8Array {
  const now = clock.wallNow()
  return signFrame({ type: 'hello', peerId, keyId: '', incarnation: now, seq: 0, timestampMs: now, intervalMs: INTERVAL_MS, ...fields }, KEY, encoding)
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

/**
 * A raw TCP connection to `port`, recording every byte it receives and when
 * it closes: for the HTTP phase before an upgrade, and for WebSocket frames
 * written by hand.
 */
export async function rawTcp(port: number) {
  const socket = connect({ host: '127.0.0.1', port })
  const waiter = createWaiter()
  let received = Buffer.alloc(0)
  let closed = false
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk])
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
    received: () => received,
    closed: () => closed,
    until: waiter.until,
    /** Sends a WebSocket upgrade request for `path` and waits for the 101; later bytes are frames. */
    async upgrade(path = '/') {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      )
      await waiter.until(() => received.includes('\r\n\r\n'), 'the upgrade response')
      const end = received.indexOf('\r\n\r\n') + 4
      const head = received.subarray(0, end).toString('latin1')
      received = received.subarray(end)
      if (!head.startsWith('HTTP/1.1 101')) throw new Error(`not upgraded: ${head.split('\r\n')[0] ?? ''}`)
    },
  }
}

/** One masked client-to-server ping frame with no payload (RFC 6455 §5.5.2): FIN + opcode 9, mask bit, a 4-byte key. */
export function maskedPing(): Buffer {
  return Buffer.from([0x89, 0x80, 0x12, 0x34, 0x56, 0x78])
}
