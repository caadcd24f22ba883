/**
 * Hostile inputs on UDP: floods of forged datagrams and forged peer ids.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createBeater } from '@hb/core'
import { createUdpClient, createUdpServer } from '@hb/udp'
import { createRandom } from '../src/study/random.js'
import { SECRET, captureFrames } from './support/frames.js'
import { rssMiB } from './support/memory.js'
import { createCleanup, startMonitor } from './support/monitor-harness.js'
import { framesSeen } from './support/frame-counts.js'
import { udpClose, udpSend, udpSocket } from './support/sockets.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

async function udpMonitor() {
  const server = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20 })
  // Rejections counted, not kept: the memory bounds are the monitor's, not this test's record.
  const harness = await startMonitor({ transports: [server], timeoutMs: 2000 }, { keepRejections: false })
  cleanup.add(() => harness.monitor.close())
  // What the monitor's UDP socket handed it (accepted or rejected): the transport keeps no counts of its own.
  return { ...harness, port: server.address()!.port, received: () => framesSeen(harness.monitor, 'udp') }
}

/**
 * Sends `count` datagrams made by `make(i)` in batches of 200, and lets the
 * monitor's socket drain before the next batch (until it has received the
 * batch, or the loop has turned a few times): a flood faster than one process
 * can read measures the kernel's buffer, not hb. Returns how many were sent.
 */
async function flood(port: number, count: number, make: (i: number) => Uint8Array, received: () => number): Promise<number> {
  const sockets = await Promise.all([udpSocket(), udpSocket(), udpSocket(), udpSocket()])
  cleanup.add(() => Promise.all(sockets.map(udpClose)))
  const batch = 200
  const start = received()
  for (let first = 0; first < count; first += batch) {
    const sends: Promise<void>[] = []
    const last = Math.min(count, first + batch)
    for (let i = first; i < last; i++) sends.push(udpSend(sockets[i % sockets.length]!, make(i), port))
    await Promise.all(sends)
    for (let turns = 0; turns < 50 && received() - start < last; turns++) await new Promise((resolve) => setImmediate(resolve))
  }
  return count
}

describe('forged udp datagrams', () => {
  it('200,000 forged datagrams create no peer, keep memory bounded, and a live peer stays online', async () => {
    const { port, monitor, waiter, online, offline, rejectedOn, received } = await udpMonitor()
    const beater = createBeater({ id: 'live-peer', secret: SECRET, intervalMs: 200, transport: createUdpClient({ host: '127.0.0.1', port }) })
    const stop = beater.start()
    cleanup.add(() => stop({ bye: false }))
    await waiter.until(() => online.includes('live-peer'), 5000, 'the live peer online')
    const before = rssMiB()
    // A quarter random bytes, the rest real frames made wrong: bad MAC, other key, truncated.
    const template = (await captureFrames('forger', 1))[1]!
    const wrongKey = (await captureFrames('forger', 1, { secret: 'not-the-secret-at-all-0123456789' }))[1]!
    const random = createRandom(99)
    const make = (i: number): Uint8Array => {
      switch (i % 4) {
        case 0:
          return Uint8Array.from({ length: 1 + Math.floor(random.next() * 200) }, () => Math.floor(random.next() * 256))
        case 1: {
          const bytes = template.slice()
          bytes[bytes.length - 1 - (i % 32)]! ^= 1 + (i % 255)
          return bytes
        }
        case 2:
          return wrongKey
        default:
          return template.subarray(0, 1 + (i % (template.length - 1)))
      }
    }
    await flood(port, 200_000, make, received)
    // The kernel may drop a few under load; the monitor must have seen nearly all, and reported each rejection.
    const counts = monitor.stats().transports.udp!
    expect(received()).toBeGreaterThan(190_000)
    expect(rejectedOn('udp')).toBe(received() - counts.accepted)
    expect(monitor.size).toBe(1)
    expect(monitor.get('forger')).toBeUndefined()
    expect(offline).toEqual([])
    expect(monitor.get('live-peer')?.state).toBe('alive')
    // The monitor alone: about +16 MiB measured (socket buffers, JIT); an unbounded buffer would pass 32 in seconds.
    expect(rssMiB() - before).toBeLessThan(32)
  })

  it('10,000 forged peer ids (well-formed, wrong key) are rejected without per-id state', async () => {
    const { port, monitor, rejectedTotal, rejectedCount, received } = await udpMonitor()
    const forged: Uint8Array[] = []
    for (let i = 0; i < 10_000; i++) forged.push((await captureFrames(`forged-${i}`, 0, { secret: 'attacker-guess-0123456789abcdef' }))[0]!)
    const before = rssMiB()
    await flood(port, forged.length, (i) => forged[i]!, received)
    // Every datagram the monitor was handed is a reported rejection (nothing else was sent).
    expect(rejectedTotal()).toBe(received())
    expect(rejectedTotal()).toBeGreaterThan(9900)
    expect(rejectedCount('bad-signature')).toBe(rejectedTotal())
    expect(monitor.size).toBe(0)
    expect(rssMiB() - before).toBeLessThan(32)
  })
})
