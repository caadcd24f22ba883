import { afterEach, describe, expect, it } from 'vitest'
import type { HeartbeatError } from '@hb/core'
import type { InboundFrame, ServerTransportHandler, TransportRejection } from '@hb/core/adapter'
import { createUdpServer } from '../src/index.js'
import { closeRaw, createWaiter, rawSocket, sendTo } from './helpers.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()))
})

function recorder() {
  const waiter = createWaiter()
  const frames: InboundFrame[] = []
  const rejections: TransportRejection[] = []
  const handler: ServerTransportHandler = {
    onFrame(frame) {
      frames.push({ ...frame, bytes: frame.bytes.slice() })
      waiter.notify()
      return { accepted: true }
    },
    onLinkUp() {},
    onLinkDown() {},
    onRejected(rejection) {
      rejections.push(rejection)
      waiter.notify()
    },
  }
  return { handler, frames, rejections, waiter }
}

async function started(options: Parameters<typeof createUdpServer>[0] = { host: '127.0.0.1', port: 0 }, handler = recorder()) {
  const server = createUdpServer(options)
  cleanup.push(() => server.close())
  await server.start(handler.handler, { maxFrameBytes: 100 })
  return { server, ...handler }
}

describe('udp server', () => {
  it('listens on every interface when no host is given, and replies to each datagram’s source address', async () => {
    const inner = recorder()
    const answering = {
      ...inner,
      handler: {
        ...inner.handler,
        onFrame(frame: InboundFrame) {
          frame.reply(Buffer.from(`pong ${Buffer.from(frame.bytes).toString()}`))
          return inner.handler.onFrame(frame)
        },
      },
    }
    const { server, frames, waiter } = await started({ port: 0 }, answering)
    expect(server.address()).toMatchObject({ host: '0.0.0.0', family: 'IPv4' })
    // An unconnected socket, as a peer behind NAT looks: the ack must go back to where the datagram came from.
    const sender = await rawSocket()
    cleanup.push(() => closeRaw(sender))
    sender.on('message', () => waiter.notify())
    await sendTo(sender, Buffer.from('ping'), server.address()!.port, '127.0.0.1')
    await waiter.until(() => frames.length === 1 && sender.received.length === 1, 'a frame through the loopback interface, and its reply')
    expect(frames[0]!.remoteAddress).toBe(`127.0.0.1:${sender.address().port}`)
    expect(sender.received.map(String)).toEqual(['pong ping'])
  })

  it('survives a handler that throws, and tells onError', async () => {
    const errors: HeartbeatError[] = []
    const inner = recorder()
    const throwing = {
      ...inner,
      handler: {
        ...inner.handler,
        onFrame(): never {
          throw new Error('boom')
        },
      },
    }
    const { server, waiter } = await started({ host: '127.0.0.1', port: 0, onError: (e) => (errors.push(e), inner.waiter.notify()) }, throwing)
    const sender = await rawSocket()
    cleanup.push(() => closeRaw(sender))
    await sendTo(sender, Buffer.from('x'), server.address()!.port)
    await waiter.until(() => errors.length === 1, 'the handler error to be reported')
    expect(errors[0]).toMatchObject({ code: 'HB_ERR_TRANSPORT', cause: { message: 'boom' } })
    // Still serving: the next datagram reaches the handler too.
    await sendTo(sender, Buffer.from('y'), server.address()!.port)
    await waiter.until(() => errors.length === 2, 'the second handler error')
  })

  it('validates its options', () => {
    const bad = [
      {},
      { port: -1 },
      { port: 65_536 },
      { port: 1.5 },
      { port: 0, host: '' },
      { port: 0, type: 'udp5' },
      { port: 0, recvBufferSize: 0 },
      { port: 0, onError: 'log' },
    ]
    for (const options of bad) {
      expect(() => createUdpServer(options as never)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
  })
})
