/**
 * The shared suite every transport adapter runs against real sockets, so all
 * adapters behave the same where the core can tell.
 *
 * The test functions are passed in rather than imported: `@hb/core/testing`
 * also serves plain scripts (the fake clock), which must not need vitest.
 *
 * ```ts
 * import { describe, it, expect, afterEach } from 'vitest'
 * transportConformance({ describe, it, expect, afterEach }, {
 *   name: 'udp', kind: 'datagram',
 *   createServer: (port) => createUdpServer({ host: '127.0.0.1', port: port ?? 0 }),
 *   createClient: (address) => createUdpClient({ host: address.host, port: address.port }),
 * })
 * ```
 */
import { createBeater } from '../beater/beater.js'
import { HeartbeatError } from '../errors/heartbeat-error.js'
import { createMonitor } from '../monitor/monitor.js'
import type { ClientTransport, Link, ServerTransport, ServerTransportHandler, TransportAddress, TransportKind, TransportRejection } from '../adapter/transport.js'

export interface ConformanceTestApi {
  describe(name: string, body: () => void): void
  it(name: string, body: () => Promise<void> | void, timeoutMs?: number): void
  expect: (value: unknown) => {
    toBe(expected: unknown): void
    toEqual(expected: unknown): void
    toBeNull(): void
    toBeGreaterThan(n: number): void
    toMatchObject(expected: object): void
  }
  afterEach(body: () => Promise<void> | void): void
}

export interface ConformanceOptions {
  name: string
  kind: TransportKind
  /** A server on 127.0.0.1, on `port` when given (the suite rebinds a closed server's port), else port 0. */
  createServer(port?: number): ServerTransport
  /** A client of the server listening at `address`. */
  createClient(address: TransportAddress): ClientTransport
  /** Frame size limit for the byte-level tests. Default 1024. */
  maxFrameBytes?: number
  /** How long to wait for any one event. Default 5000. */
  waitMs?: number
}

interface Recorder extends ServerTransportHandler {
  frames: { bytes: Uint8Array; remoteAddress: string }[]
  rejections: TransportRejection[]
  up: Link[]
  down: Link[]
  changed: () => Promise<void>
}

/** A server-side handler that echoes every frame back and records what happens. */
function createRecorder(): Recorder {
  let wake: (() => void) | undefined
  const notify = (): void => {
    const w = wake
    wake = undefined
    w?.()
  }
  const recorder: Recorder = {
    frames: [],
    rejections: [],
    up: [],
    down: [],
    changed: () => new Promise<void>((resolve) => (wake = resolve)),
    onFrame(frame) {
      recorder.frames.push({ bytes: frame.bytes.slice(), remoteAddress: frame.remoteAddress })
      frame.reply(frame.bytes.slice())
      notify()
      return { accepted: true }
    },
    onLinkUp(link) {
      recorder.up.push(link)
      notify()
    },
    onLinkDown(link) {
      recorder.down.push(link)
      notify()
    },
    onRejected(rejection) {
      recorder.rejections.push(rejection)
      notify()
    },
  }
  return recorder
}

/** Resolves when `check()` holds, re-checking whenever `changed()` fires; fails after `ms`. */
async function until(check: () => boolean, changed: () => Promise<void>, ms: number, what: string): Promise<void> {
  const signal = AbortSignal.timeout(ms)
  const aborted = new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(new Error(`timed out waiting for ${what}`)), { once: true }),
  )
  while (!check()) await Promise.race([changed(), aborted])
}

function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7) & 0xff
  return out
}

export function transportConformance(t: ConformanceTestApi, options: ConformanceOptions): void {
  const { describe, it, expect, afterEach } = t
  const maxFrameBytes = options.maxFrameBytes ?? 1024
  const waitMs = options.waitMs ?? 5000
  const cleanup: (() => Promise<void>)[] = []

  afterEach(async () => {
    await Promise.allSettled(cleanup.splice(0).map((fn) => fn()))
  })

  async function startServer(port?: number) {
    const server = options.createServer(port)
    const recorder = createRecorder()
    cleanup.push(() => server.close())
    await server.start(recorder, { maxFrameBytes })
    const address = server.address()
    if (address === null) throw new Error('address() is null after start()')
    return { server, recorder, address }
  }

  async function connectClient(address: TransportAddress) {
    const client = options.createClient(address)
    const received: Uint8Array[] = []
    let downs = 0
    let wake: (() => void) | undefined
    const changed = () => new Promise<void>((resolve) => (wake = resolve))
    cleanup.push(() => client.close())
    await client.connect(
      {
        onFrame(bytes) {
          received.push(bytes.slice())
          wake?.()
        },
        onLinkDown() {
          downs++
          wake?.()
        },
      },
      { maxFrameBytes },
    )
    return { client, received, changed, downs: () => downs }
  }

  describe(`transport conformance: ${options.name}`, () => {
    it('round-trips frames byte for byte, up to exactly maxFrameBytes', async () => {
      const { address, recorder } = await startServer()
      const c = await connectClient(address)
      const sizes = [1, 55, 410, maxFrameBytes - 1, maxFrameBytes]
      for (const [i, size] of sizes.entries()) {
        const frame = bytesOf(size, i)
        await c.client.send(frame)
        await until(() => c.received.length > i, c.changed, waitMs, `echo of ${size} bytes`)
        expect(Buffer.from(recorder.frames[i]?.bytes ?? []).equals(Buffer.from(frame))).toBe(true)
        expect(Buffer.from(c.received[i] ?? []).equals(Buffer.from(frame))).toBe(true)
      }
    })

    it('refuses a frame one byte over maxFrameBytes as too-large, without delivering it', async () => {
      const { address, recorder } = await startServer()
      const c = await connectClient(address)
      await c.client.send(bytesOf(maxFrameBytes + 1, 9)).catch(() => undefined)
      await until(() => recorder.rejections.length > 0, recorder.changed, waitMs, 'a too-large rejection')
      expect(recorder.rejections[0]?.reason).toBe('too-large')
      expect(recorder.frames.length).toBe(0)
    })

    it('serves many clients on one server, each answered on its own', async () => {
      const { address } = await startServer()
      const clients = await Promise.all(Array.from({ length: 20 }, () => connectClient(address)))
      await Promise.all(clients.map((c, i) => c.client.send(bytesOf(60, i))))
      for (const [i, c] of clients.entries()) {
        await until(() => c.received.length > 0, c.changed, waitMs, `reply to client ${i}`)
        expect(Buffer.from(c.received[0] ?? []).equals(Buffer.from(bytesOf(60, i)))).toBe(true)
      }
    })

    it('closes idempotently and frees its port', async () => {
      const { server, address } = await startServer()
      const first = server.close()
      await Promise.all([first, server.close()])
      expect(server.address()).toBeNull()
      const again = await startServer(address.port)
      expect(again.address.port).toBe(address.port)
    })

    it('rejects a send after close with HB_ERR_TRANSPORT_CLOSED', async () => {
      const { address } = await startServer()
      const c = await connectClient(address)
      await c.client.close()
      await c.client.close()
      const error = await c.client.send(bytesOf(60, 1)).then(() => undefined, (e: unknown) => e)
      expect(HeartbeatError.isInstance(error)).toBe(true)
      expect((error as HeartbeatError).code).toBe('HB_ERR_TRANSPORT_CLOSED')
    })

    if (options.kind === 'connection') {
      it('reports link-up and link-down on the server when a client goes away', async () => {
        const { address, recorder } = await startServer()
        const c = await connectClient(address)
        await until(() => recorder.up.length === 1, recorder.changed, waitMs, 'link-up')
        await c.client.close()
        await until(() => recorder.down.length === 1, recorder.changed, waitMs, 'link-down')
        expect(recorder.down[0]).toBe(recorder.up[0])
      })

      it('reports link-down on the client when the server closes, and on the server when it closes a link', async () => {
        const { server, address, recorder } = await startServer()
        const a = await connectClient(address)
        const b = await connectClient(address)
        await until(() => recorder.up.length === 2, recorder.changed, waitMs, 'two links')
        recorder.up[0]?.close()
        await until(() => recorder.down.length === 1, recorder.changed, waitMs, 'server-side link-down')
        await until(() => a.downs() + b.downs() === 1, () => Promise.race([a.changed(), b.changed()]), waitMs, 'client link-down')
        await server.close()
        await until(() => a.downs() + b.downs() === 2, () => Promise.race([a.changed(), b.changed()]), waitMs, 'client link-down after server close')
      })
    }

    it('carries a whole monitor + beater cycle: online, offline, online again', async () => {
      const server = options.createServer()
      const monitor = createMonitor({ secret: 'conformance', timeoutMs: 400, transports: [server] })
      cleanup.push(() => monitor.close())
      const events: string[] = []
      let wake: (() => void) | undefined
      const changed = () => new Promise<void>((resolve) => (wake = resolve))
      monitor.on('online', (peer) => (events.push(`online ${peer.id}`), wake?.()))
      monitor.on('offline', (peer, reason) => (events.push(`offline ${peer.id} ${reason}`), wake?.()))
      await monitor.start()
      const address = server.address() as TransportAddress
      const beat = (id: string) => {
        const beater = createBeater({ id, secret: 'conformance', transport: options.createClient(address), intervalMs: 50 })
        const stop = beater.start()
        cleanup.push(() => stop({ bye: false }))
        return stop
      }
      const stop = beat('peer-1')
      await until(() => events.includes('online peer-1'), changed, waitMs, 'online')
      expect(monitor.get('peer-1')?.transport).toBe(server.name)
      await stop({ bye: false })
      await until(() => events.includes('offline peer-1 timeout'), changed, waitMs, 'offline by timeout')
      beat('peer-1')
      await until(() => events.filter((e) => e === 'online peer-1').length === 2, changed, waitMs, 'online again')
      expect(monitor.get('peer-1')?.state).toBe('alive')
    }, 20_000)
  })
}
