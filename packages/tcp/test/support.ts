/**
 * Test helpers: a monitor and beaters on one fake clock over real loopback
 * sockets (time moves only when a test says so; bytes move for real), raw
 * sockets that speak the length-prefixed wire format by hand, and waiting on
 * events with a deadline (never sleeping).
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { createBeater, createMonitor } from '@hb/core'
import type { Beater, BeaterOptions, Monitor, MonitorOptions, ServerTransport } from '@hb/core'
import type { Link, TransportAddress } from '@hb/core/adapter'
import { signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import { createFakeClock, createWaiter, recordMonitorEvents } from '@hb/core/testing'
import type { FakeClock } from '@hb/core/testing'
import { createFrameDecoder, createTcpClient, encodeFrame } from '../src/index.js'

export const SECRET = 'tcp-test-secret'
export const KEY = new TextEncoder().encode(SECRET)
export const WAIT_MS = 5000
/** Every beater here beats exactly this often (no jitter), on the fake clock. */
export const INTERVAL_MS = 1000

export { createWaiter }

/**
 * Passes a server transport through, recording the links the core sees go
 * down, synchronously: a deadline that closes a link does so inside
 * `clock.advance()`, so a test can assert the exact millisecond.
 */
export function watchLinks(transport: ServerTransport): { transport: ServerTransport; down: Link[] } {
  const down: Link[] = []
  return {
    down,
    transport: {
      name: transport.name,
      kind: transport.kind,
      address: () => transport.address(),
      close: () => transport.close(),
      start: (handler, options) =>
        transport.start(
          {
            onFrame: (frame) => handler.onFrame(frame),
            onLinkUp: (link) => handler.onLinkUp(link),
            onLinkDown(link) {
              down.push(link)
              handler.onLinkDown(link)
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

  /** A started monitor on `transport`, its events recorded as `online id`, `offline id reason`, `rejected reason`. */
  async function startMonitor(transport: ServerTransport, options: Partial<MonitorOptions> = {}) {
    const monitor: Monitor = createMonitor({ secret: SECRET, clock, transports: [transport], ...options })
    stops.push(() => monitor.close())
    const recorder = recordMonitorEvents(monitor, ['online', 'offline', 'rejected'])
    await monitor.start()
    const address = transport.address()
    if (address === null) throw new Error('no address after start')
    return { monitor, ...recorder, address }
  }

  /** A started beater over TCP, beating every INTERVAL_MS on the fake clock; reconnects after exactly 250 ms. */
  function beat(id: string, address: TransportAddress, options: Partial<BeaterOptions> = {}) {
    const beater = createBeater({
      id,
      secret: SECRET,
      clock,
      transport: createTcpClient({ host: address.host, port: address.port }),
      intervalMs: INTERVAL_MS,
      jitter: 0,
      // Every frame acked: the tests wait for the acks to know the monitor heard each beat.
      ackEvery: 1,
      // Backoff draws from [0, cap): half of the first cap (500 ms) is 250 ms.
      random: () => 0.5,
      ...options,
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
