import { afterEach, describe, expect, it } from 'vitest'
import { createBeater, createMonitor } from '@hb/core'
import type { Monitor } from '@hb/core'
import { createFakeClock, createWaiter } from '@hb/core/testing'
import { createUdpClient, createUdpServer } from '../src/index.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()))
})

const INTERVAL_MS = 1000
const TIMEOUT_MS = 3000
const TICK_MS = 50

/** The one place these tests read a peer's last-frame time (the field is being renamed). */
const lastFrameAt = (monitor: Monitor, id: string): number | undefined => monitor.get(id)?.lastSeen

// The monitor and the beater share a fake clock; only the datagrams are real. The test
// moves time one interval at a time and waits for that beat's ack before moving on, so
// every deadline is exact and nothing depends on how fast the machine is.
describe('udp: a monitor and a beater on a fake clock over real sockets', () => {
  it('keeps a beating peer alive, and declares it offline exactly timeoutMs after its last beat (at most one tick late)', async () => {
    const clock = createFakeClock()
    const waiter = createWaiter()
    const server = createUdpServer({ host: '127.0.0.1', port: 0 })
    const monitor = createMonitor({ secret: 'liveness', timeoutMs: TIMEOUT_MS, tickMs: TICK_MS, transports: [server], clock })
    cleanup.push(() => monitor.close())
    const events: string[] = []
    monitor.on('online', (peer) => (events.push(`online ${peer.id}`), waiter.notify()))
    monitor.on('offline', (peer, reason) => events.push(`offline ${peer.id} ${reason}`))
    await monitor.start()

    const acks: number[] = []
    const client = createUdpClient({ host: '127.0.0.1', port: server.address()!.port })
    const beater = createBeater({ id: 'w1', secret: 'liveness', transport: client, intervalMs: INTERVAL_MS, jitter: 0, clock })
    beater.on('ack', ({ seq }) => (acks.push(seq), waiter.notify()))
    const stop = beater.start()
    cleanup.push(() => stop({ bye: false }))
    await waiter.until(() => events.includes('online w1') && acks.length === 1, 'online and the ack of the hello')

    // Five intervals (past a whole timeout) of beats: each one is heard before time moves on.
    for (let beat = 1; beat <= 5; beat++) {
      clock.advance(INTERVAL_MS)
      await waiter.until(() => acks.length === beat + 1, `the ack of beat ${beat}`)
    }
    expect(acks).toEqual([0, 1, 2, 3, 4, 5])
    expect(events).toEqual(['online w1'])
    expect(monitor.get('w1')?.state).toBe('alive')
    const lastBeatAt = clock.now()
    expect(lastFrameAt(monitor, 'w1')).toBe(lastBeatAt)

    // The peer falls silent (no bye): the monitor's clock alone decides from here.
    await stop({ bye: false })
    clock.advance(TIMEOUT_MS - 1)
    expect(events).toEqual(['online w1'])
    expect(monitor.get('w1')?.state).not.toBe('dead')
    clock.advance(TICK_MS + 1)
    expect(events).toEqual(['online w1', 'offline w1 timeout'])
    expect(monitor.get('w1')?.state).toBe('dead')

    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('takes a bye over udp as a leave at once, without waiting for the timeout', async () => {
    const clock = createFakeClock()
    const waiter = createWaiter()
    const server = createUdpServer({ host: '127.0.0.1', port: 0 })
    const monitor = createMonitor({ secret: 'liveness', timeoutMs: TIMEOUT_MS, transports: [server], clock })
    cleanup.push(() => monitor.close())
    const events: string[] = []
    monitor.on('online', (peer) => (events.push(`online ${peer.id}`), waiter.notify()))
    monitor.on('offline', (peer, reason) => (events.push(`offline ${peer.id} ${reason}`), waiter.notify()))
    await monitor.start()

    const beater = createBeater({ id: 'w2', secret: 'liveness', transport: createUdpClient({ host: '127.0.0.1', port: server.address()!.port }), clock })
    const stop = beater.start()
    cleanup.push(() => stop())
    await waiter.until(() => events.includes('online w2'), 'online')
    await stop() // sends bye
    await waiter.until(() => events.length === 2, 'offline')
    expect(events).toEqual(['online w2', 'offline w2 left'])
    expect(clock.now()).toBe(0) // no time had to pass
  })
})
