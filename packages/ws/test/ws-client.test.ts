import { afterEach, describe, expect, it } from 'vitest'
import { HeartbeatError } from '@hb/core'
import type { ClientTransportHandler, Link } from '@hb/core/adapter'
import { WebSocket as NodeWebSocket } from 'ws'
import { createWsClient, createWsServer } from '../src/index.js'
import type { WebSocketConstructor, WebSocketLike, WsClientOptions } from '../src/index.js'
import { createWaiter } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const codeOf = (error: unknown): string | undefined => (HeartbeatError.isInstance(error) ? error.code : undefined)
const failureOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e)
const OPTIONS = { maxFrameBytes: 64 }

function recordingHandler() {
  const waiter = createWaiter()
  const frames: Uint8Array[] = []
  const downs: (Error | undefined)[] = []
  const handler: ClientTransportHandler = {
    onFrame: (bytes) => void (frames.push(bytes.slice()), waiter.notify()),
    onLinkDown: (error) => void (downs.push(error), waiter.notify()),
  }
  return { handler, frames, downs, until: waiter.until }
}

function client(options: WsClientOptions) {
  const transport = createWsClient(options)
  cleanup.push(() => transport.close())
  return { transport, ...recordingHandler() }
}

/**
 * A browser-like WebSocket without a network: no terminate(), events fired by
 * the test. The last one created is `FakeSocket.last`.
 */
class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined
  binaryType = 'blob'
  readyState = 0
  sent: (string | ArrayBufferView)[] = []
  closeCodes: (number | undefined)[] = []
  private listeners = new Map<string, ((event: never) => void)[]>()
  constructor(readonly url: string) {
    FakeSocket.last = this
  }
  send(data: string | ArrayBufferView): void {
    this.sent.push(data)
  }
  close(code?: number): void {
    this.closeCodes.push(code)
    this.readyState = 2
  }
  addEventListener(type: string, listener: (event: never) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  fire(type: 'open' | 'message' | 'close' | 'error', event: unknown = {}): void {
    if (type === 'open') this.readyState = 1
    if (type === 'close') this.readyState = 3
    for (const listener of this.listeners.get(type) ?? []) listener(event as never)
  }
}

/** connect() looks the constructor up asynchronously: lets microtasks run until it has created its socket. */
async function created(before: FakeSocket | undefined): Promise<FakeSocket> {
  for (let i = 0; i < 100 && FakeSocket.last === before; i++) await Promise.resolve()
  if (FakeSocket.last === before || FakeSocket.last === undefined) throw new Error('no socket was created')
  return FakeSocket.last
}

async function fakeConnected(options: Partial<WsClientOptions> = {}) {
  const c = client({ url: 'ws://fake.invalid/hb', WebSocket: FakeSocket, ...options })
  const before = FakeSocket.last
  const connecting = c.transport.connect(c.handler, OPTIONS)
  const socket = await created(before)
  socket.fire('open')
  await connecting
  return { ...c, socket }
}

describe('createWsClient', () => {
  it('rejects bad options at once with HB_ERR_CONFIG', () => {
    for (const options of [{ url: 'http://x/' }, { url: '' }, { url: 'ws://x/', encoding: 'xml' }]) {
      const error = (() => {
        try {
          createWsClient(options as WsClientOptions)
        } catch (e) {
          return e
        }
      })()
      expect(codeOf(error)).toBe('HB_ERR_CONFIG')
    }
  })

  it('is of kind connection, binary by default, json on request', () => {
    const binary = createWsClient({ url: 'ws://x/' })
    expect([binary.name, binary.kind, binary.encoding]).toEqual(['ws', 'connection', 'binary'])
    expect(createWsClient({ url: 'wss://x/', encoding: 'json' }).encoding).toBe('json')
  })

  describe('with an injected, browser-like WebSocket', () => {
    it('uses the injected constructor, and asks for ArrayBuffers', async () => {
      const c = await fakeConnected()
      expect(c.socket.url).toBe('ws://fake.invalid/hb')
      expect(c.socket.binaryType).toBe('arraybuffer')
    })

    it('delivers ArrayBuffer and text messages as bytes; drops Blobs and oversize messages', async () => {
      const c = await fakeConnected()
      c.socket.fire('message', { data: Uint8Array.of(1, 2).buffer })
      c.socket.fire('message', { data: '{"x":1}' })
      c.socket.fire('message', { data: { size: 3, type: '' } })
      c.socket.fire('message', { data: new ArrayBuffer(OPTIONS.maxFrameBytes + 1) })
      expect(c.frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(['0102', Buffer.from('{"x":1}').toString('hex')])
    })

    it('sends bytes as binary, or as text with the json encoding', async () => {
      const binary = await fakeConnected()
      await binary.transport.send(Uint8Array.of(0x68, 0x62))
      expect(binary.socket.sent[0]).toBeInstanceOf(Uint8Array)
      const json = await fakeConnected({ encoding: 'json' })
      await json.transport.send(new TextEncoder().encode('{"v":1}'))
      expect(json.socket.sent).toEqual(['{"v":1}'])
    })

    it('disconnect() reports link-down at once and once, closing with 1000 where there is no terminate()', async () => {
      const c = await fakeConnected()
      c.transport.disconnect?.()
      expect(c.downs).toHaveLength(1)
      expect(c.socket.closeCodes).toEqual([1000])
      c.socket.fire('message', { data: Uint8Array.of(1).buffer })
      c.socket.fire('close', { code: 1000, reason: '' })
      expect(c.downs).toHaveLength(1)
      expect(c.frames).toHaveLength(0)
      expect(codeOf(await failureOf(c.transport.send(Uint8Array.of(1))))).toBe('HB_ERR_TRANSPORT_CLOSED')
    })

    it('an error after open reports link-down once, with the error as cause', async () => {
      const c = await fakeConnected()
      const cause = new Error('boom')
      c.socket.fire('error', { error: cause })
      c.socket.fire('close', { code: 1006, reason: '' })
      expect(c.downs).toHaveLength(1)
      expect(codeOf(c.downs[0])).toBe('HB_ERR_TRANSPORT')
      expect((c.downs[0] as Error).cause).toBe(cause)
    })

    it('an error before open rejects connect with HB_ERR_TRANSPORT', async () => {
      const c = client({ url: 'ws://fake.invalid/', WebSocket: FakeSocket })
      const before = FakeSocket.last
      const connecting = failureOf(c.transport.connect(c.handler, OPTIONS))
      const socket = await created(before)
      socket.fire('error', {})
      socket.fire('close', { code: 1006, reason: '' })
      expect(codeOf(await connecting)).toBe('HB_ERR_TRANSPORT')
      expect(c.downs).toEqual([])
    })

    it('close() does not wait for a closing handshake it cannot cut short', async () => {
      const c = await fakeConnected()
      await c.transport.close()
      expect(c.socket.closeCodes).toEqual([1000])
      expect(c.downs).toEqual([])
    })

    it('a constructor that throws (a bad URL) rejects connect with HB_ERR_TRANSPORT', async () => {
      const Throwing = function () {
        throw new SyntaxError('bad url')
      } as unknown as WebSocketConstructor
      const c = client({ url: 'ws://fake.invalid/', WebSocket: Throwing })
      expect(codeOf(await failureOf(c.transport.connect(c.handler, OPTIONS)))).toBe('HB_ERR_TRANSPORT')
    })
  })

  describe('over a real server', () => {
    async function server() {
      const transport = createWsServer({ host: '127.0.0.1', port: 0 })
      const waiter = createWaiter()
      const up: Link[] = []
      const down: Link[] = []
      await transport.start(
        {
          onFrame: (frame) => (frame.reply(frame.bytes.slice()), { accepted: true }),
          onLinkUp: (link) => void (up.push(link), waiter.notify()),
          onLinkDown: (link) => void (down.push(link), waiter.notify()),
          onRejected: () => undefined,
        },
        { maxFrameBytes: 256 },
      )
      cleanup.push(() => transport.close())
      return { transport, url: transport.address()?.url ?? '', up, down, until: waiter.until }
    }

    it('loads ws lazily in a Node without a global WebSocket, and round-trips frames', async () => {
      expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined()
      const s = await server()
      const c = client({ url: s.url })
      await c.transport.connect(c.handler, OPTIONS)
      await c.transport.send(Uint8Array.of(0x68, 7))
      await c.until(() => c.frames.length === 1, 'the echo')
      expect(Buffer.from(c.frames[0] ?? []).toString('hex')).toBe('6807')
    })

    it('works with ws passed in as the WebSocket constructor', async () => {
      const s = await server()
      const c = client({ url: s.url, WebSocket: NodeWebSocket as unknown as WebSocketConstructor })
      await c.transport.connect(c.handler, OPTIONS)
      await s.until(() => s.up.length === 1, 'link-up')
    })

  })
})
