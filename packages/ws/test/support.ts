/**
 * Test helpers: a monitor and beaters on one fake clock over real loopback
 * sockets (time moves only when a test says so; bytes move for real), raw
 * `ws` and TCP clients that send whatever a test wants, and waiting on events
 * with a deadline (never sleeping).
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import { createBeater, createMonitor } from '@hb/core'
import type { Beater, BeaterOptions, Monitor, MonitorOptions, ServerTransport } from '@hb/core'
import type { FrameEncoding, Link } from '@hb/core/adapter'
import { signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import { createFakeClock, createWaiter, recordMonitorEvents } from '@hb/core/testing'
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

/**
 * Passes a server transport through, recording the links the core sees come
 * up and go down, synchronously: a deadline that closes a link does so inside
 * `clock.advance()`, so a test can assert the exact millisecond.
 */
export function watchLinks(transport: ServerTransport): { transport: ServerTransport; up: Link[]; down: Link[]; until: (condition: () => boolean, what: string) => Promise<void> } {
  const up: Link[] = []
  const down: Link[] = []
  const waiter = createWaiter()
  return {
    up,
    down,
    until: waiter.until,
    transport: {
      name: transport.name,
      kind: transport.kind,
      address: () => transport.address(),
      close: () => transport.close(),
      start: (handler, options) =>
        transport.start(
          {
            onFrame: (frame) => handler.onFrame(frame),
            onLinkUp(link) {
              up.push(link)
              handler.onLinkUp(link)
              waiter.notify()
            },
            onLinkDown(link) {
              down.push(link)
              handler.onLinkDown(link)
              waiter.notify()
            },
            onRejected: (rejection) => handler.onRejected(rejection),
          },
          options,
        ),
    },
  }
}

/**
 * One fake clock shared by monitors and beaters, and what a test does with it:
 * start a monitor, start beaters, move time while keeping the beaters acked.
 * `close()` stops everything it started.
 */
export function createTestbed() {
  const clock: FakeClock = createFakeClock()
  const beaters = new Set<Beater>()
  const acks = createWaiter()
  const stops: (() => Promise<unknown>)[] = []

  /** A started monitor on `transport`, its events recorded as `online id`, `offline id reason`, `suspect id`, `rejected reason`. */
  async function startMonitor(transport: ServerTransport, options: Partial<MonitorOptions> = {}) {
    const monitor: Monitor = createMonitor({ secret: SECRET, clock, transports: [transport], ...options })
    stops.push(() => monitor.close())
    const recorder = recordMonitorEvents(monitor, ['online', 'offline', 'suspect', 'rejected'])
    await monitor.start()
    const address = transport.address()
    if (address?.url === undefined) throw new Error('no url after start')
    return { monitor, ...recorder, address, url: address.url }
  }

  /** A started beater over WebSocket to `url`, beating every INTERVAL_MS on the fake clock. */
  function beat(id: string, url: string, options: Partial<BeaterOptions> & { encoding?: FrameEncoding } = {}) {
    const { encoding, ...beaterOptions } = options
    const beater = createBeater({
      id,
      secret: SECRET,
      clock,
      transport: createWsClient({ url, ...(encoding === undefined ? {} : { encoding }) }),
      intervalMs: INTERVAL_MS,
      jitter: 0,
      // Every frame acked: the tests wait for the acks to know the monitor heard each beat.
      ackEvery: 1,
      random: () => 0.5,
      ...beaterOptions,
    })
    for (const event of ['ack', 'connect', 'disconnect'] as const) beater.on(event, acks.notify)
    beaters.add(beater)
    const stop = beater.start()
    const stopped = () => (beaters.delete(beater), stop({ bye: false }))
    stops.push(stopped)
    return { beater, stop: stopped }
  }

  /** Resolves once every running beater's frames were all acked (so the monitor heard them). */
  function untilAcked(what: string): Promise<void> {
    return acks.until(() => [...beaters].every((b) => b.stats().acked === b.stats().sent), what, WAIT_MS)
  }

  /**
   * Moves the fake clock by `ms`, at most one beat interval at a time, and
   * after each step waits for the beats it made to be acked: over real sockets
   * a beat takes real time to arrive, which the fake clock does not wait for.
   */
  async function advance(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= INTERVAL_MS) {
      clock.advance(Math.min(left, INTERVAL_MS))
      await untilAcked(`the acks of the beats at ${clock.now()} ms`)
    }
  }

  return {
    clock,
    startMonitor,
    beat,
    advance,
    untilAcked,
    close: () => Promise.allSettled(stops.splice(0).reverse().map((fn) => fn())),
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
