import { afterEach, describe, expect, it } from 'vitest'
import { HeartbeatError } from '@hb/core'
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

const errorOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error)

describe('udp server', () => {
  it('binds port 0 and reports the real port; address() is null before start and after close', async () => {
    const server = createUdpServer({ host: '127.0.0.1', port: 0 })
    expect(server.address()).toBeNull()
    expect(server.name).toBe('udp')
    expect(server.kind).toBe('datagram')
    await server.start(recorder().handler, { maxFrameBytes: 100 })
    expect(server.address()).toMatchObject({ host: '127.0.0.1', family: 'IPv4' })
    expect(server.address()!.port).toBeGreaterThan(0)
    await server.close()
    expect(server.address()).toBeNull()
  })

  it('hands each datagram over with the sender as host:port, and replies to that address, inside onFrame only', async () => {
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
    const { server, frames, waiter } = await started(undefined, answering)
    const sender = await rawSocket()
    cleanup.push(() => closeRaw(sender))
    sender.on('message', () => waiter.notify())
    await sendTo(sender, Buffer.from('ping'), server.address()!.port)
    await waiter.until(() => frames.length === 1, 'a frame')
    expect(Buffer.from(frames[0]!.bytes).toString()).toBe('ping')
    expect(frames[0]!.remoteAddress).toBe(`127.0.0.1:${sender.address().port}`)
    expect(frames[0]!.link).toBeUndefined()
    await waiter.until(() => sender.received.length === 1, 'the reply')
    expect(sender.received[0]!.toString()).toBe('pong ping')
    // The contract: reply() is valid only synchronously inside onFrame. Later it is a no-op,
    // so the next reply the sender gets is the one to its next datagram.
    frames[0]!.reply(Buffer.from('late'))
    await sendTo(sender, Buffer.from('again'), server.address()!.port)
    await waiter.until(() => sender.received.length === 2, 'the second reply')
    expect(sender.received.map(String)).toEqual(['pong ping', 'pong again'])
    await waiter.until(() => server.stats().replies === 2, 'the replies to be counted')
    expect(server.stats()).toEqual({ received: 2, tooLarge: 0, replies: 2, errors: 0 })
  })

  it('refuses a datagram over maxFrameBytes without handing it to the core', async () => {
    const { server, frames, rejections, waiter } = await started()
    const sender = await rawSocket()
    cleanup.push(() => closeRaw(sender))
    await sendTo(sender, new Uint8Array(101), server.address()!.port)
    await sendTo(sender, new Uint8Array(100), server.address()!.port)
    await waiter.until(() => frames.length === 1 && rejections.length === 1, 'one frame and one rejection')
    expect(rejections[0]).toMatchObject({ reason: 'too-large', remoteAddress: `127.0.0.1:${sender.address().port}` })
    expect(frames[0]!.bytes.length).toBe(100)
  })

  it('survives a handler that throws, and a reply after close', async () => {
    const errors: HeartbeatError[] = []
    const inner = recorder()
    let reply: InboundFrame['reply'] | undefined
    const throwing = {
      ...inner,
      handler: {
        ...inner.handler,
        onFrame(frame: InboundFrame): never {
          reply = frame.reply
          inner.waiter.notify()
          throw new Error('boom')
        },
      },
    }
    const { server, waiter } = await started({ host: '127.0.0.1', port: 0, onError: (e) => (errors.push(e), inner.waiter.notify()) }, throwing)
    const sender = await rawSocket()
    cleanup.push(() => closeRaw(sender))
    await sendTo(sender, Buffer.from('x'), server.address()!.port)
    await waiter.until(() => errors.length === 1, 'the handler error to be reported')
    expect(errors[0]).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
    await server.close()
    expect(() => reply?.(Buffer.from('late'))).not.toThrow()
  })

  it('rejects a second start, a start after close, and a port already in use', async () => {
    const { server } = await started()
    const again = await errorOf(server.start(recorder().handler, { maxFrameBytes: 100 }))
    expect(again).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
    const rival = createUdpServer({ host: '127.0.0.1', port: server.address()!.port })
    cleanup.push(() => rival.close())
    const inUse = await errorOf(rival.start(recorder().handler, { maxFrameBytes: 100 }))
    expect(HeartbeatError.isInstance(inUse)).toBe(true)
    expect(inUse).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
    expect(rival.address()).toBeNull()
    await server.close()
    const closed = await errorOf(server.start(recorder().handler, { maxFrameBytes: 100 }))
    expect(closed).toMatchObject({ code: 'HB_ERR_TRANSPORT_CLOSED' })
  })

  it('closes while starting: start rejects and the port is free', async () => {
    const server = createUdpServer({ host: '127.0.0.1', port: 0 })
    const starting = errorOf(server.start(recorder().handler, { maxFrameBytes: 100 }))
    await Promise.all([server.close(), server.close()])
    expect(await starting).toMatchObject({ code: 'HB_ERR_TRANSPORT_CLOSED' })
    expect(server.address()).toBeNull()
  })

  it('closes idempotently before it was ever started', async () => {
    const server = createUdpServer({ port: 0 })
    await server.close()
    await server.close()
    expect(server.address()).toBeNull()
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
