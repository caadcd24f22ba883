import { afterEach, describe, expect, it } from 'vitest'
import type { HeartbeatError } from '@hb/core'
import { createUdpClient } from '../src/index.js'
import { closeRaw, createWaiter, rawSocket, sendTo, turn } from './helpers.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()))
})

const errorOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error)

async function connected(port: number, onError?: (error: HeartbeatError) => void) {
  const waiter = createWaiter()
  const received: Buffer[] = []
  const client = createUdpClient({ host: '127.0.0.1', port, onError: (e) => (onError?.(e), waiter.notify()) })
  cleanup.push(() => client.close())
  await client.connect({ onFrame: (bytes) => (received.push(Buffer.from(bytes)), waiter.notify()), onLinkDown() {} }, { maxFrameBytes: 100 })
  return { client, received, waiter }
}

describe('udp client', () => {
  it('sends from one ephemeral port and delivers only the server’s datagrams', async () => {
    const server = await rawSocket()
    const stray = await rawSocket()
    cleanup.push(() => closeRaw(server), () => closeRaw(stray))
    const serverWaiter = createWaiter()
    server.on('message', () => serverWaiter.notify())
    const { client, received, waiter } = await connected(server.address().port)
    expect(client).toMatchObject({ name: 'udp', kind: 'datagram', encoding: 'binary' })
    const local = client.localAddress()!
    expect(local.port).toBeGreaterThan(0)
    await client.send(Buffer.from('one'))
    await client.send(Buffer.from('two'))
    await serverWaiter.until(() => server.received.length === 2, 'two datagrams')
    // The stray datagram is dropped by the kernel (the socket is connected); the server's arrives.
    await sendTo(stray, Buffer.from('stray'), local.port)
    await sendTo(server, Buffer.from('ack'), local.port)
    await waiter.until(() => received.length === 1, 'the server datagram')
    expect(received.map(String)).toEqual(['ack'])
    expect(server.received.map(String)).toEqual(['one', 'two'])
    await client.close()
    expect(client.localAddress()).toBeNull()
  })

  it('reports ECONNREFUSED while the server is down, without crashing, and keeps working when it is back', async () => {
    const placeholder = await rawSocket()
    const port = placeholder.address().port
    await closeRaw(placeholder) // nothing listens there now
    const errors: HeartbeatError[] = []
    const { client, received, waiter } = await connected(port, (e) => errors.push(e))
    // Linux reports the ICMP port-unreachable on the connected socket: as an error event
    // or on the next send. Either way onError hears it, and the socket stays up.
    for (let i = 0; i < 100 && errors.length === 0; i++) {
      await errorOf(client.send(Buffer.from('anyone?')))
      await turn()
    }
    expect(errors[0]).toMatchObject({ code: 'HB_ERR_TRANSPORT', cause: { code: 'ECONNREFUSED' } })
    const back = await rawSocket('udp4', port)
    cleanup.push(() => closeRaw(back))
    back.on('message', (message, rinfo) => back.send(message, rinfo.port, rinfo.address))
    await client.send(Buffer.from('back?'))
    await waiter.until(() => received.length > 0, 'an echo from the restarted server')
    expect(received.map(String)).toEqual(['back?'])
  })

  // The suite's C11 runs for connection clients only; a datagram client's connect() is pending too (bind, DNS).
  it('close while connecting rejects the connect with HB_ERR_TRANSPORT_CLOSED', async () => {
    const client = createUdpClient({ host: '127.0.0.1', port: 9 })
    const connecting = errorOf(client.connect({ onFrame() {}, onLinkDown() {} }, { maxFrameBytes: 100 }))
    await client.close()
    expect(await connecting).toMatchObject({ code: 'HB_ERR_TRANSPORT_CLOSED' })
  })

  it('rejects a connect the OS refuses (an IPv6 server on a udp4 socket) with HB_ERR_TRANSPORT', async () => {
    const client = createUdpClient({ host: '::1', port: 9, type: 'udp4' })
    cleanup.push(() => client.close())
    expect(await errorOf(client.connect({ onFrame() {}, onLinkDown() {} }, { maxFrameBytes: 100 }))).toMatchObject({
      code: 'HB_ERR_TRANSPORT',
    })
  })

  it('validates its options', () => {
    for (const options of [{ port: 1 }, { host: 'h' }, { host: 'h', port: 0 }, { host: 'h', port: 1, type: 'tcp' }, { host: 'h', port: 1, localAddress: '' }]) {
      expect(() => createUdpClient(options as never)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
  })
})
