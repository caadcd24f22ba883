/** What is TCP's own in the client (options, framing); the connection lifecycle is checked by the conformance suite. */
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HeartbeatError } from '@hb/core'
import type { ClientTransportHandler } from '@hb/core/adapter'
import { createTcpClient, encodeFrame } from '../src/index.js'
import { createWaiter, WAIT_MS } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const codeOf = (error: unknown): string | undefined => (HeartbeatError.isInstance(error) ? error.code : undefined)
const OPTIONS = { maxFrameBytes: 64 }

/** A raw server that hands each accepted socket to `onSocket`, and remembers them. */
async function rawServer(onSocket: (socket: Socket) => void = () => undefined) {
  const sockets: Socket[] = []
  const received: Buffer[] = []
  const waiter = createWaiter()
  const server: Server = createServer((socket) => {
    sockets.push(socket)
    socket.on('data', (chunk: Buffer) => void (received.push(chunk), waiter.notify()))
    socket.on('error', () => undefined)
    socket.on('close', waiter.notify)
    onSocket(socket)
    waiter.notify()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening', { signal: AbortSignal.timeout(WAIT_MS) })
  cleanup.push(() => {
    for (const socket of sockets) socket.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { port: (server.address() as AddressInfo).port, sockets, received, until: waiter.until }
}

function client(port: number) {
  const transport = createTcpClient({ host: '127.0.0.1', port })
  cleanup.push(() => transport.close())
  const waiter = createWaiter()
  const frames: string[] = []
  const downs: (Error | undefined)[] = []
  const handler: ClientTransportHandler = {
    onFrame: (bytes) => void (frames.push(Buffer.from(bytes).toString('hex')), waiter.notify()),
    onLinkDown: (error) => void (downs.push(error), waiter.notify()),
  }
  return { transport, handler, frames, downs, until: waiter.until }
}

describe('createTcpClient', () => {
  it('rejects bad options at once with HB_ERR_CONFIG', () => {
    for (const options of [{ host: '', port: 1 }, { host: 'localhost', port: 0 }, { host: 'localhost', port: 1, keepAliveInitialDelayMs: Number.NaN }]) {
      const error = (() => {
        try {
          createTcpClient(options)
        } catch (e) {
          return e
        }
      })()
      expect(codeOf(error), JSON.stringify(options)).toBe('HB_ERR_CONFIG')
    }
  })

  it('is of kind connection with binary encoding', () => {
    const transport = createTcpClient({ host: '127.0.0.1', port: 1 })
    expect([transport.name, transport.kind, transport.encoding]).toEqual(['tcp', 'connection', 'binary'])
  })

  it('writes length-prefixed frames and decodes the replies, split or not', async () => {
    const s = await rawServer((socket) => {
      // Two frames, the second split across writes.
      socket.write(Buffer.concat([encodeFrame(Uint8Array.of(1)), Buffer.from([0, 0])]))
      socket.write(Buffer.from([0, 2, 7, 8]))
    })
    const c = client(s.port)
    await c.transport.connect(c.handler, OPTIONS)
    await c.transport.send(Uint8Array.of(0xab, 0xcd))
    await c.until(() => c.frames.length === 2, 'two frames')
    expect(c.frames).toEqual(['01', '0708'])
    await s.until(() => Buffer.concat(s.received).length === 6, 'the frame at the server')
    expect(Buffer.concat(s.received).toString('hex')).toBe('00000002abcd')
  })

  it('drops the connection of a server that announces an oversize frame', async () => {
    const s = await rawServer((socket) => socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff])))
    const c = client(s.port)
    await c.transport.connect(c.handler, OPTIONS)
    await c.until(() => c.downs.length === 1, 'link-down')
    expect(codeOf(c.downs[0])).toBe('HB_ERR_FRAME_TOO_LARGE')
    await s.until(() => s.sockets[0]?.closed === true, 'the server seeing the socket close')
  })
})
