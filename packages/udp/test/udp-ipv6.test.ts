import { afterEach, describe, expect, it } from 'vitest'
import type { InboundFrame } from '@hb/core/adapter'
import { createUdpClient, createUdpServer } from '../src/index.js'
import { createWaiter, hasIpv6Loopback } from './helpers.js'

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
})
