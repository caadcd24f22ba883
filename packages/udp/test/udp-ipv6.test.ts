import { afterEach, describe, expect, it } from 'vitest'
import { createSocket } from 'node:dgram'
import { createBeater, createMonitor } from '@hb/core'
import type { InboundFrame } from '@hb/core/adapter'
import { createUdpClient, createUdpServer } from '../src/index.js'
import { createWaiter } from './helpers.js'

/** True if this machine can bind a UDP socket on the IPv6 loopback (containers often cannot). */
async function hasIpv6Loopback(): Promise<boolean> {
  const socket = createSocket('udp6')
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false))
    socket.bind(0, '::1', () => resolve(true))
  })
  await new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve())
    } catch {
      resolve()
    }
  })
  return ok
}

const ipv6 = await hasIpv6Loopback()

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()))
})

describe.skipIf(!ipv6)('udp over IPv6 (::1)', () => {
  it('infers udp6 from the host, reports an IPv6 address and [host]:port senders, and replies', async () => {
    const waiter = createWaiter()
    const frames: InboundFrame[] = []
    const server = createUdpServer({ host: '::1', port: 0 })
    cleanup.push(() => server.close())
    await server.start(
      {
        onFrame(frame) {
          frames.push(frame)
          frame.reply(frame.bytes.slice().reverse())
          waiter.notify()
          return { accepted: true }
        },
        onLinkUp() {},
        onLinkDown() {},
        onRejected() {},
      },
      { maxFrameBytes: 100 },
    )
    const address = server.address()!
    expect(address).toMatchObject({ host: '::1', family: 'IPv6' })
    const received: string[] = []
    const client = createUdpClient({ host: '::1', port: address.port })
    cleanup.push(() => client.close())
    await client.connect({ onFrame: (bytes) => (received.push(Buffer.from(bytes).toString()), waiter.notify()), onLinkDown() {} }, { maxFrameBytes: 100 })
    await client.send(Buffer.from('abc'))
    await waiter.until(() => received.length === 1, 'the reply')
    expect(received).toEqual(['cba'])
    expect(frames[0]!.remoteAddress).toBe(`[::1]:${client.localAddress()!.port}`)
  })

  it('carries a monitor + beater to online', async () => {
    const waiter = createWaiter()
    const server = createUdpServer({ host: '::1', port: 0 })
    const monitor = createMonitor({ secret: 'v6', timeoutMs: 2000, transports: [server] })
    cleanup.push(() => monitor.close())
    const online: string[] = []
    monitor.on('online', (peer) => (online.push(`${peer.id} ${peer.transport} ${peer.remoteAddress?.startsWith('[::1]:')}`), waiter.notify()))
    await monitor.start()
    const beater = createBeater({ id: 'six', secret: 'v6', transport: createUdpClient({ host: '::1', port: server.address()!.port }), intervalMs: 50 })
    const acks: number[] = []
    beater.on('ack', ({ seq }) => (acks.push(seq), waiter.notify()))
    const stop = beater.start()
    cleanup.push(() => stop({ bye: false }))
    await waiter.until(() => online.length === 1 && acks.length > 0, 'online and an ack')
    expect(online).toEqual(['six udp true'])
  })
})
