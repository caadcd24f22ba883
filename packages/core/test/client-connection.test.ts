/**
 * createClientConnection (src/adapter/client-connection.ts), every state
 * transition, over fake sockets whose events the test fires by hand, in the
 * orders real sockets use (net: 'close' alone; ws: 'error' then 'close').
 */
import { describe, expect, it } from 'vitest'
import { createClientConnection } from '../src/adapter/client-connection.js'
import type { ConnectionEvents } from '../src/adapter/client-connection.js'
import type { ClientTransportHandler } from '../src/adapter/transport.js'
import { HeartbeatError } from '../src/index.js'

interface FakeSocket {
  readonly id: number
  readonly events: ConnectionEvents
  destroyed: number
  readonly writes: Uint8Array[]
}

const options = { maxFrameBytes: 64 }
const codeOf = (error: unknown): string => (HeartbeatError.isInstance(error) ? error.code : `not a HeartbeatError: ${String(error)}`)
/** What a promise settled with, read without awaiting: 'pending', 'resolved' or the rejection. */
function watch(promise: Promise<unknown>): { result: unknown } {
  const state: { result: unknown } = { result: 'pending' }
  promise.then(
    () => (state.result = 'resolved'),
    (error: unknown) => (state.result = error),
  )
  return state
}
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function setup(behaviour: { openThrows?: Error; writeFails?: Error } = {}) {
  const sockets: FakeSocket[] = []
  const frames: number[][] = []
  const downs: (Error | undefined)[] = []
  const handler: ClientTransportHandler = {
    onFrame: (bytes) => void frames.push([...bytes]),
    onLinkDown: (error) => void downs.push(error),
  }
  const connection = createClientConnection<FakeSocket>({
    name: 'fake',
    target: 'here:1',
    open(events, o) {
      if (o.maxFrameBytes !== 64) throw new Error('options not passed')
      if (behaviour.openThrows !== undefined) throw behaviour.openThrows
      const socket: FakeSocket = { id: sockets.length, events, destroyed: 0, writes: [] }
      sockets.push(socket)
      return socket
    },
    write(socket, bytes) {
      if (behaviour.writeFails !== undefined) return Promise.reject(behaviour.writeFails)
      socket.writes.push(bytes)
      return Promise.resolve()
    },
    destroy(socket) {
      socket.destroyed++
    },
  })
  const socket = (i: number): FakeSocket => {
    const s = sockets[i]
    if (s === undefined) throw new Error(`no socket ${i}`)
    return s
  }
  /** Connects and opens socket `i`. */
  const connected = async (i = 0) => {
    const c = connection.connect(handler, options)
    socket(i).events.opened()
    await c
  }
  return { connection, handler, sockets, socket, frames, downs, connected }
}

describe('createClientConnection', () => {
  it('idle → connecting → connected: connect() resolves once opened; frames before that are ignored', async () => {
    const { connection, socket, frames, handler } = setup()
    expect(connection.state).toBe('idle')
    const attempt = watch(connection.connect(handler, options))
    expect(connection.state).toBe('connecting')
    socket(0).events.frame(new Uint8Array([9]))
    await flush()
    expect(attempt.result).toBe('pending')
    socket(0).events.opened()
    expect(connection.state).toBe('connected')
    await flush()
    expect(attempt.result).toBe('resolved')
    expect(frames).toEqual([])
  })

  it('connect() resolves, frames arrive in order, and send() resolves once written', async () => {
    const { connection, socket, frames, connected } = setup()
    await connected()
    socket(0).events.frame(new Uint8Array([1]))
    socket(0).events.frame(new Uint8Array([2]))
    expect(frames).toEqual([[1], [2]])
    await connection.send(new Uint8Array([7]))
    expect(socket(0).writes.map((b) => [...b])).toEqual([[7]])
  })

  it('connecting → idle when the attempt breaks: HB_ERR_TRANSPORT with the socket error as cause, no link-down', async () => {
    const { connection, socket, downs } = setup()
    const refused = new Error('ECONNREFUSED')
    const attempt = watch(connection.connect(setup().handler, options))
    socket(0).events.broken(refused)
    await flush()
    expect(codeOf(attempt.result)).toBe('HB_ERR_TRANSPORT')
    expect((attempt.result as Error).cause).toBe(refused)
    expect(socket(0).destroyed).toBeGreaterThan(0)
    expect(connection.state).toBe('idle')
    socket(0).events.released(refused)
    expect(downs).toEqual([])
  })

  it('connecting → idle when the socket is released without opening (net: close alone)', async () => {
    const { connection, socket } = setup()
    const attempt = watch(connection.connect(setup().handler, options))
    const reset = new Error('ECONNRESET')
    socket(0).events.released(reset)
    await flush()
    expect(codeOf(attempt.result)).toBe('HB_ERR_TRANSPORT')
    expect((attempt.result as Error).cause).toBe(reset)
    expect(connection.state).toBe('idle')
  })

  it('an open() that throws rejects connect() with HB_ERR_TRANSPORT and leaves the client idle', async () => {
    const bad = new Error('bad url')
    const { connection } = setup({ openThrows: bad })
    const error = await connection.connect(setup().handler, options).then(() => 'resolved', (e: unknown) => e)
    expect(codeOf(error)).toBe('HB_ERR_TRANSPORT')
    expect((error as Error).cause).toBe(bad)
    expect(connection.state).toBe('idle')
    await connection.close()
  })

  it('connect() while connecting rejects HB_ERR_TRANSPORT and leaves the first attempt alone', async () => {
    const { connection, sockets, socket, handler } = setup()
    const first = connection.connect(handler, options)
    expect(codeOf(await connection.connect(handler, options).catch((e: unknown) => e))).toBe('HB_ERR_TRANSPORT')
    expect(sockets.length).toBe(1)
    socket(0).events.opened()
    await first
    expect(connection.state).toBe('connected')
  })

  it.each([
    ['broken, then released (ws)', (s: FakeSocket) => (s.events.broken(new Error('EPIPE')), s.events.released())],
    ['released alone (net)', (s: FakeSocket) => s.events.released(new Error('ECONNRESET'))],
  ])('connected → idle when the connection is lost, %s: link-down once, destroyed, send() then rejects', async (_, lose) => {
    const { connection, socket, downs, frames, connected } = setup()
    await connected()
    lose(socket(0))
    expect(downs.length).toBe(1)
    expect(codeOf(downs[0])).toBe('HB_ERR_TRANSPORT')
    expect((downs[0] as Error).cause).toBeInstanceOf(Error)
    expect(connection.state).toBe('idle')
    socket(0).events.frame(new Uint8Array([1]))
    socket(0).events.broken(new Error('again'))
    socket(0).events.released()
    expect(downs.length).toBe(1)
    expect(frames).toEqual([])
    expect(codeOf(await connection.send(new Uint8Array([1])).catch((e: unknown) => e))).toBe('HB_ERR_TRANSPORT_CLOSED')
  })

  it('connected → idle on disconnect(): link-down reported before it returns, once; the socket destroyed', async () => {
    const { connection, socket, downs, connected } = setup()
    await connected()
    connection.disconnect()
    expect(downs.length).toBe(1)
    expect(codeOf(downs[0])).toBe('HB_ERR_TRANSPORT')
    expect(socket(0).destroyed).toBe(1)
    expect(connection.state).toBe('idle')
    connection.disconnect()
    socket(0).events.released()
    expect(downs.length).toBe(1)
  })

  it('idle → connecting again after link-down, on a new socket', async () => {
    const { connection, socket, sockets, connected, downs } = setup()
    await connected(0)
    connection.disconnect()
    await connected(1)
    expect(sockets.length).toBe(2)
    expect(connection.state).toBe('connected')
    await connection.send(new Uint8Array([3]))
    expect(socket(1).writes.length).toBe(1)
    expect(socket(0).writes.length).toBe(0)
    expect(downs.length).toBe(1)
  })

  it.each([
    ['released alone', (s: FakeSocket) => s.events.released()],
    ['broken, then released', (s: FakeSocket) => (s.events.broken(new Error('aborted')), s.events.released())],
    ['opened before the destroy took effect', (s: FakeSocket) => (s.events.opened(), s.events.released())],
  ])('connecting → idle on disconnect(): the attempt is aborted, connect() rejects HB_ERR_TRANSPORT, no link-down (%s)', async (_, settle) => {
    const { connection, socket, downs, handler } = setup()
    const attempt = watch(connection.connect(handler, options))
    connection.disconnect()
    expect(socket(0).destroyed).toBe(1)
    settle(socket(0))
    await flush()
    expect(codeOf(attempt.result)).toBe('HB_ERR_TRANSPORT')
    expect((attempt.result as Error).message).toMatch(/aborted/)
    expect(downs).toEqual([])
    expect(connection.state).toBe('idle')
  })

  it('disconnect() when idle or closed does nothing', async () => {
    const { connection, downs } = setup()
    connection.disconnect()
    await connection.close()
    connection.disconnect()
    expect(downs).toEqual([])
  })

  it.each([
    ['released alone (net)', (s: FakeSocket) => s.events.released()],
    ['broken, then released (ws)', (s: FakeSocket) => (s.events.broken(new Error('closed before open')), s.events.released())],
    ['opened before the destroy took effect', (s: FakeSocket) => (s.events.opened(), s.events.released())],
  ])('connecting → closed: connect() rejects HB_ERR_TRANSPORT_CLOSED, close() resolves once released (%s)', async (_, settle) => {
    const { connection, socket, downs, handler } = setup()
    const attempt = watch(connection.connect(handler, options))
    const closed = watch(connection.close())
    expect(connection.state).toBe('closed')
    expect(socket(0).destroyed).toBe(1)
    await flush()
    expect(closed.result).toBe('pending')
    settle(socket(0))
    await flush()
    expect(codeOf(attempt.result)).toBe('HB_ERR_TRANSPORT_CLOSED')
    expect(closed.result).toBe('resolved')
    expect(downs).toEqual([])
  })

  it('connected → closed: no link-down, frames ignored, close() resolves once the socket is released', async () => {
    const { connection, socket, downs, frames, connected } = setup()
    await connected()
    const closed = watch(connection.close())
    expect(socket(0).destroyed).toBe(1)
    socket(0).events.frame(new Uint8Array([1]))
    socket(0).events.broken(new Error('EPIPE'))
    await flush()
    expect(closed.result).toBe('pending')
    socket(0).events.released()
    await flush()
    expect(closed.result).toBe('resolved')
    expect(downs).toEqual([])
    expect(frames).toEqual([])
  })

  it('closed: connect() and send() reject HB_ERR_TRANSPORT_CLOSED; close() returns the same promise', async () => {
    const { connection, handler, sockets } = setup()
    const first = connection.close()
    expect(connection.close()).toBe(first)
    await first
    expect(codeOf(await connection.connect(handler, options).catch((e: unknown) => e))).toBe('HB_ERR_TRANSPORT_CLOSED')
    expect(codeOf(await connection.send(new Uint8Array([1])).catch((e: unknown) => e))).toBe('HB_ERR_TRANSPORT_CLOSED')
    expect(sockets.length).toBe(0)
  })

  it('send() while idle or connecting rejects HB_ERR_TRANSPORT_CLOSED; a failed write rejects HB_ERR_TRANSPORT with its cause', async () => {
    const epipe = new Error('EPIPE')
    const { connection, socket, handler } = setup({ writeFails: epipe })
    expect(codeOf(await connection.send(new Uint8Array([1])).catch((e: unknown) => e))).toBe('HB_ERR_TRANSPORT_CLOSED')
    const c = connection.connect(handler, options)
    expect(codeOf(await connection.send(new Uint8Array([1])).catch((e: unknown) => e))).toBe('HB_ERR_TRANSPORT_CLOSED')
    socket(0).events.opened()
    await c
    const error = await connection.send(new Uint8Array([1])).catch((e: unknown) => e)
    expect(codeOf(error)).toBe('HB_ERR_TRANSPORT')
    expect((error as Error).cause).toBe(epipe)
  })

  it('connect() while connected replaces the connection: the old one is destroyed without a link-down; close() waits for both', async () => {
    const { connection, socket, downs, connected } = setup()
    await connected(0)
    await connected(1)
    expect(socket(0).destroyed).toBe(1)
    socket(0).events.released()
    expect(downs).toEqual([])
    expect(connection.state).toBe('connected')
    const closed = watch(connection.close())
    socket(1).events.released()
    await flush()
    expect(closed.result).toBe('resolved')
  })
})
