/**
 * A ping flood (issue 15, item 8): `ws` answers pings itself and terminates a
 * connection once a ping arrives with 60 pongs still unsent; the transport
 * reports that as a rejection with a reason, so the monitor counts it. Frames
 * are written by hand on a raw socket, many in one write, so they arrive in
 * one read and the pongs cannot drain in between.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Link, ServerTransportHandler, TransportRejection } from '@hb/core/adapter'
import { createWsServer } from '../src/index.js'
import { MAX_PENDING_PONGS } from '../src/ws-link.js'
import { createTestbed, createWaiter, maskedPing, rawTcp } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

async function started() {
  const waiter = createWaiter()
  const rejections: TransportRejection[] = []
  const up: Link[] = []
  const down: Link[] = []
  const handler: ServerTransportHandler = {
    onFrame: () => ({ accepted: true }),
    onLinkUp: (link) => void (up.push(link), waiter.notify()),
    onLinkDown: (link) => void (down.push(link), waiter.notify()),
    onRejected: (rejection) => void (rejections.push(rejection), waiter.notify()),
  }
  const server = createWsServer({ host: '127.0.0.1', port: 0 })
  cleanup.push(() => server.close())
  await server.start(handler, { maxFrameBytes: 256 })
  const port = server.address()?.port ?? 0
  const client = await rawTcp(port)
  cleanup.push(() => void client.socket.destroy())
  await client.upgrade()
  await waiter.until(() => up.length === 1, 'link-up')
  return { client, rejections, up, down, until: waiter.until }
}

const pings = (count: number): Buffer => Buffer.concat(Array.from({ length: count }, maskedPing))

describe('a ping flood', () => {
  it('is ended by ws and reported once as a rejection with its reason; the link goes down once', async () => {
    const s = await started()
    s.client.socket.write(pings(10 * MAX_PENDING_PONGS))
    await s.client.until(() => s.client.closed(), 'the flooding socket closed')
    await s.until(() => s.down.length === 1, 'link-down')
    expect(s.rejections).toEqual([
      { reason: 'flood', remoteAddress: s.up[0]?.remoteAddress, detail: expect.stringMatching(/^ping flood: a ping arrived with 60 pongs still unsent/) },
    ])
  })

  it('pings within the limit are answered with pongs, and nothing is rejected', async () => {
    const s = await started()
    const count = MAX_PENDING_PONGS - 1
    s.client.socket.write(pings(count))
    // A pong with no payload is two bytes: 0x8a 0x00.
    await s.client.until(() => s.client.received().length === 2 * count, 'every pong')
    expect(s.client.received().equals(Buffer.from(Array.from({ length: count }, () => [0x8a, 0x00]).flat()))).toBe(true)
    expect([s.rejections, s.down, s.client.closed()]).toEqual([[], [], false])
  })

  it("reaches the monitor's rejected event", async () => {
    const bed = createTestbed()
    cleanup.push(() => bed.close())
    const m = await bed.startMonitor(createWsServer({ host: '127.0.0.1', port: 0 }))
    const client = await rawTcp(m.address.port)
    cleanup.push(() => void client.socket.destroy())
    await client.upgrade()
    client.socket.write(pings(10 * MAX_PENDING_PONGS))
    await m.until(() => m.events.includes('rejected flood'), 'the rejected event')
    expect(m.monitor.stats().rejected).toMatchObject({ flood: 1 })
  })
})
