/**
 * A monitor and beaters on one fake clock over real loopback sockets: every
 * deadline is crossed by `clock.advance()`, so each test checks the exact
 * millisecond a connection is closed, and none waits for real time to pass.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTcpServer } from '../src/index.js'
import { createTestbed, createWaiter, INTERVAL_MS, prng, rawClient, signedFrame, watchLinks } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const TIMEOUT_MS = 3000
const TICK_MS = 100

async function setup(options: { helloTimeoutMs?: number } = {}, port = 0) {
  const bed = createTestbed()
  cleanup.push(() => bed.close())
  const watched = watchLinks(createTcpServer({ host: '127.0.0.1', port }))
  const m = await bed.startMonitor(watched.transport, { timeoutMs: TIMEOUT_MS, tickMs: TICK_MS, ...options })
  return { bed, m, linksDown: watched.down }
}

async function raw(port: number) {
  const client = await rawClient(port)
  cleanup.push(() => void client.socket.destroy())
  return client
}

describe('a monitor over TCP (fake clock, real sockets)', () => {
  it('closes the socket of a peer it declared dead, at its deadline, and keeps the live one', async () => {
    const { bed, m, linksDown } = await setup()
    bed.beat('live', m.address)
    // Beats once at 0 ms, then stays silent with its socket open (a hung process, a half-open path).
    const stalled = await raw(m.address.port)
    stalled.sendFrame(signedFrame('stalled', bed.clock))
    await stalled.untilReceived(1, 'the ack of the hello')
    await m.until(() => m.events.includes('online live') && m.events.includes('online stalled'), 'both online')
    await bed.untilAcked('the hello of live')

    await bed.advance(TIMEOUT_MS - 1)
    expect(m.events.filter((e) => e.startsWith('offline'))).toEqual([])
    expect(linksDown).toEqual([])
    // The deadline falls at TIMEOUT_MS; the wheel reports it at most one tick later.
    await bed.advance(1 + TICK_MS)
    expect(m.events.filter((e) => e.startsWith('offline'))).toEqual(['offline stalled timeout'])
    expect(linksDown.map((link) => link.remoteAddress)).toEqual([`127.0.0.1:${stalled.localPort}`])
    await stalled.untilClosed('the server closing the dead peer socket')
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('closes a connection that sends no valid frame within helloTimeoutMs, garbage or silence alike', async () => {
    const helloTimeoutMs = 2000
    const { bed, m, linksDown } = await setup({ helloTimeoutMs })
    bed.beat('live', m.address)
    const silent = await raw(m.address.port)
    const babbling = await raw(m.address.port)
    babbling.sendFrame(Uint8Array.from({ length: 80 }, (_, i) => i))
    babbling.sendFrame(signedFrame('forger', bed.clock, { timestampMs: 1 })) // signed, but stale
    await m.until(() => m.events.includes('rejected malformed') && m.events.includes('rejected stale'), 'both rejections')
    await m.until(() => m.events.includes('online live'), 'live online')
    await bed.untilAcked('the hello of live')

    await bed.advance(helloTimeoutMs - 1)
    expect(linksDown).toEqual([])
    await bed.advance(1 + TICK_MS)
    expect(linksDown.map((link) => link.remoteAddress).sort()).toEqual(
      [silent.localPort, babbling.localPort].map((port) => `127.0.0.1:${port}`).sort(),
    )
    await silent.untilClosed('the silent connection closed by the hello deadline')
    await babbling.untilClosed('the garbage connection closed by the hello deadline')
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('disconnects a peer announcing a 4 GiB frame at once, without the clock moving', async () => {
    const { bed, m } = await setup()
    const greedy = await raw(m.address.port)
    greedy.socket.write(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))
    await greedy.untilClosed('the server cutting the 4 GiB announcement')
    await m.until(() => m.events.includes('rejected too-large'), 'a too-large rejection')
    expect(m.rejected[0]).toMatchObject({ reason: 'too-large', transport: 'tcp' })
    expect(m.rejected[0]?.detail).toContain('4294967295')
    expect(bed.clock.now()).toBe(0)
  })

  it('survives random garbage from many sockets and keeps serving the live peer', async () => {
    const { bed, m } = await setup()
    const { beater } = bed.beat('live', m.address)
    await m.until(() => m.events.includes('online live'), 'live online')
    const random = prng(7)
    const noise = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256))
    // Raw noise: its first four bytes announce an absurd length, so the framing cuts it off.
    const noisy = await Promise.all(Array.from({ length: 5 }, () => raw(m.address.port)))
    for (const attacker of noisy) for (let i = 0; i < 10; i++) attacker.socket.write(noise(1 + Math.floor(random() * 300)))
    // An HTTP client on the wrong port: "GET " announces a 1.2 GB frame.
    const http = await raw(m.address.port)
    http.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    // Well-framed noise: each frame reaches the core and is rejected; the connection is the core's to close.
    const framed = await Promise.all(Array.from({ length: 5 }, () => raw(m.address.port)))
    for (const attacker of framed) for (let i = 0; i < 10; i++) attacker.sendFrame(noise(1 + Math.floor(random() * 2048)))

    for (const attacker of [...noisy, http]) await attacker.untilClosed('a garbage socket cut off by the framing')
    await m.until(() => m.events.filter((e) => e === 'rejected malformed').length === 50, '50 malformed rejections')
    expect(m.events.filter((e) => e === 'rejected too-large')).toHaveLength(6)
    expect(framed.filter((attacker) => attacker.isClosed())).toEqual([])
    // Still serving: three more beats, each acked before the clock moves on.
    const before = beater.stats().acked
    await bed.advance(3 * INTERVAL_MS)
    expect(beater.stats().acked).toBe(before + 3)
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('the client reconnects by itself after the server restarts on the same port', async () => {
    const first = await setup()
    const { beater } = first.bed.beat('phoenix', first.m.address)
    const waiter = createWaiter()
    const seen: string[] = []
    beater.on('disconnect', () => (seen.push('disconnect'), waiter.notify()))
    beater.on('connect', () => (seen.push('connect'), waiter.notify()))
    await first.m.until(() => first.m.events.includes('online phoenix'), 'online on the first server')
    await first.m.monitor.close()
    await waiter.until(() => seen.includes('disconnect'), 'the beater seeing the link go down')

    // A second monitor on the same port, on the beater's clock.
    const watched = watchLinks(createTcpServer({ host: '127.0.0.1', port: first.m.address.port }))
    const second = await first.bed.startMonitor(watched.transport, { timeoutMs: TIMEOUT_MS, tickMs: TICK_MS })
    expect(second.address.port).toBe(first.m.address.port)
    // The first reconnect waits exactly 250 ms of backoff (see createTestbed).
    first.bed.clock.advance(249)
    expect(seen).toEqual(['connect', 'disconnect'])
    first.bed.clock.advance(1)
    await second.until(() => second.events.includes('online phoenix'), 'online on the restarted server')
    expect(seen).toEqual(['connect', 'disconnect', 'connect'])
    expect(second.monitor.get('phoenix')?.transport).toBe('tcp')
  })
})
