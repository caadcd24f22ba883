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
import { udpClose, udpSend, udpSocket } from './support/sockets.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

async function udpMonitor() {
  const server = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20 })
  const harness = await startMonitor({ transports: [server], timeoutMs: 2000 })
  cleanup.add(() => harness.monitor.close())
  return { ...harness, server, port: server.address()!.port }
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
    const { port, monitor, waiter, online, offline, rejected, server } = await udpMonitor()
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
    await flood(port, 200_000, make, () => server.stats().received)
    // The kernel may drop a few under load; the monitor must have seen nearly all, and rejected each one it saw.
    const live = (): number => monitor.stats().accepted
    await waiter.until(() => rejected.length + live() >= server.stats().received, 10_000, 'every received datagram decided')
    expect(server.stats().received).toBeGreaterThan(190_000)
    expect(monitor.size).toBe(1)
    expect(monitor.get('forger')).toBeUndefined()
    expect(offline).toEqual([])
    expect(monitor.get('live-peer')?.state).toBe('alive')
    expect(rssMiB() - before).toBeLessThan(64)
  })

  it('10,000 forged peer ids (well-formed, wrong key) are rejected without per-id state', async () => {
    const { port, monitor, waiter, rejected, rejectedCount, server } = await udpMonitor()
    const forged: Uint8Array[] = []
    for (let i = 0; i < 10_000; i++) forged.push((await captureFrames(`forged-${i}`, 0, { secret: 'attacker-guess-0123456789abcdef' }))[0]!)
    const before = rssMiB()
    await flood(port, forged.length, (i) => forged[i]!, () => server.stats().received)
    await waiter.until(() => rejected.length >= server.stats().received, 10_000, 'the forged hellos rejected')
    expect(rejected.length).toBeGreaterThan(9900)
    expect(rejectedCount('bad-signature')).toBe(rejected.length)
    expect(monitor.size).toBe(0)
    expect(rssMiB() - before).toBeLessThan(32)
  })
})
