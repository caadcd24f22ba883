import { afterEach, describe, expect, it } from 'vitest'
import { createBeater } from '@hb/core'
import type { TransportAddress } from '@hb/core/adapter'
import { createTcpClient, createTcpServer } from '../src/index.js'
import { createWaiter, prng, rawClient, signedFrame, startMonitor } from './support.js'
import { SECRET } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

async function monitorOnTcp(options: Parameters<typeof startMonitor>[1] = {}, port = 0) {
  const started = await startMonitor(createTcpServer({ host: '127.0.0.1', port }), options)
  cleanup.push(() => started.monitor.close())
  return started
}

function beat(id: string, address: TransportAddress) {
  const beater = createBeater({
    id,
    secret: SECRET,
    transport: createTcpClient({ host: address.host, port: address.port }),
    intervalMs: 50,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
  })
  const stop = beater.start()
  cleanup.push(() => stop({ bye: false }))
  return { beater, stop }
}

async function raw(port: number) {
  const client = await rawClient(port)
  cleanup.push(() => void client.socket.destroy())
  return client
}

describe('a monitor over TCP', () => {
  it('closes the socket of a peer it declared dead, and keeps the live one', async () => {
    const m = await monitorOnTcp()
    beat('live', m.address)
    await m.until(() => m.events.includes('online live'), 'live online')

    // Beats once, then stays silent with its socket open (a hung process, a half-open path).
    const stalled = await raw(m.address.port)
    stalled.sendFrame(signedFrame('stalled'))
    await stalled.untilReceived(1, 'the ack of the hello')
    await m.until(() => m.events.includes('online stalled'), 'stalled online')
    await m.until(() => m.events.includes('offline stalled timeout'), 'stalled offline')
    await stalled.untilClosed('the server closing the dead peer socket')

    expect(m.events.filter((e) => e.startsWith('offline live'))).toEqual([])
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('closes a connection that sends no valid frame within helloTimeoutMs, garbage or silence alike', async () => {
    const m = await monitorOnTcp({ helloTimeoutMs: 200 })
    beat('live', m.address)
    const silent = await raw(m.address.port)
    const babbling = await raw(m.address.port)
    babbling.sendFrame(Uint8Array.from({ length: 80 }, (_, i) => i))
    babbling.sendFrame(signedFrame('forger', { timestampMs: 1 })) // signed, but stale
    await m.until(() => m.events.includes('rejected malformed') && m.events.includes('rejected stale'), 'both rejections')
    await silent.untilClosed('the silent connection closed by the hello deadline')
    await babbling.untilClosed('the garbage connection closed by the hello deadline')
    expect(m.events).toContain('online live')
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('disconnects a peer announcing a 4 GiB frame at once, long before any deadline', async () => {
    const m = await monitorOnTcp({ helloTimeoutMs: 60_000 })
    const greedy = await raw(m.address.port)
    greedy.socket.write(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))
    await greedy.untilClosed('the server cutting the 4 GiB announcement')
    await m.until(() => m.events.includes('rejected too-large'), 'a too-large rejection')
    expect(m.rejected[0]).toMatchObject({ reason: 'too-large', transport: 'tcp' })
    expect(m.rejected[0]?.detail).toContain('4294967295')
  })

  it('survives random garbage from many sockets and keeps serving the live peer', async () => {
    const m = await monitorOnTcp({ helloTimeoutMs: 60_000 })
    const { beater } = beat('live', m.address)
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
    expect(framed.some((attacker) => attacker.isClosed())).toBe(false)
    // Still serving: the live peer keeps beating and is acked.
    const acks = createWaiter()
    let acked = 0
    beater.on('ack', () => (acked++, acks.notify()))
    await acks.until(() => acked >= 3, 'three more acks after the attack')
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('the client reconnects by itself after the server restarts on the same port', async () => {
    const first = await monitorOnTcp()
    const { beater } = beat('phoenix', first.address)
    let disconnects = 0
    beater.on('disconnect', () => void disconnects++)
    await first.until(() => first.events.includes('online phoenix'), 'online on the first server')
    await first.monitor.close()

    const second = await monitorOnTcp({}, first.address.port)
    expect(second.address.port).toBe(first.address.port)
    await second.until(() => second.events.includes('online phoenix'), 'online on the restarted server')
    expect(disconnects).toBeGreaterThan(0)
    expect(second.monitor.get('phoenix')?.transport).toBe('tcp')
  })
})
