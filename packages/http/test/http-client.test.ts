import { afterEach, describe, expect, it } from 'vitest'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createBeater, createMonitor, HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import { createFakeClock, recordMonitorEvents } from '@hb/core/testing'
import { createHttpClient, createHttpServer } from '../src/index.js'
import { createCleanup, createWaiter, listen } from './helpers.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

const errorOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error)

interface Seen {
  method: string | undefined
  headers: IncomingMessage['headers']
  body: string
}

/** A scripted server: `respond` decides each answer (or leaves the request hanging). */
async function scripted(respond: (res: ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = []
  const waiter = createWaiter()
  const { url, close } = await listen((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const entry = { method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() }
      seen.push(entry)
      waiter.notify()
      respond(res, entry)
    })
  })
  cleanup.add(close)
  return { url: `${url}/hb`, seen, waiter }
}

async function connected(url: string, options: Partial<Parameters<typeof createHttpClient>[0]> = {}, maxFrameBytes = 100) {
  const frames: string[] = []
  const client = createHttpClient({ url, ...options })
  cleanup.add(() => client.close())
  await client.connect({ onFrame: (bytes) => frames.push(Buffer.from(bytes).toString()), onLinkDown() {} }, { maxFrameBytes })
  return { client, frames }
}

describe('http client transport', () => {
  it('POSTs the frame as JSON with the extra headers, and delivers the 200 body before send() resolves', async () => {
    const server = await scripted((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ack":1}'))
    const { client, frames } = await connected(server.url, { headers: { 'x-proxy-auth': 'token', 'Content-Type': 'text/plain' } })
    expect([client.name, client.kind, client.encoding]).toEqual(['http', 'request', 'json'])
    await client.send(new TextEncoder().encode('{"beat":1}'))
    expect(frames).toEqual(['{"ack":1}'])
    expect(server.seen[0]).toMatchObject({ method: 'POST', body: '{"beat":1}' })
    expect(server.seen[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-proxy-auth': 'token' })
  })

  it('treats 204 as success with nothing to deliver', async () => {
    const server = await scripted((res) => res.writeHead(204).end())
    const { client, frames } = await connected(server.url)
    await client.send(new Uint8Array([1]))
    expect(frames).toEqual([])
  })

  it('rejects a non-2xx answer (3xx included) with HB_ERR_TRANSPORT naming the status, never the body', async () => {
    const statuses = [409, 500, 301]
    const server = await scripted((res) => {
      const status = statuses.shift() ?? 500
      res.writeHead(status, status === 301 ? { location: '/elsewhere' } : {}).end('{"error":"replay","secret":"CANARY"}')
    })
    const { client, frames } = await connected(server.url)
    for (const status of [409, 500, 301]) {
      const error = await errorOf(client.send(new Uint8Array([1])))
      expect(HeartbeatError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
      expect((error as Error).message).toContain(String(status))
      expect((error as Error).message).not.toContain('CANARY')
    }
    expect(server.seen.length).toBe(3) // the redirect was not followed
    expect(frames).toEqual([])
  })

  it('rejects a response larger than maxFrameBytes', async () => {
    const server = await scripted((res) => res.writeHead(200).end('x'.repeat(101)))
    const { client, frames } = await connected(server.url)
    expect(await errorOf(client.send(new Uint8Array([1])))).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
    expect(frames).toEqual([])
  })

  it('times a request out with HB_ERR_TRANSPORT', async () => {
    const server = await scripted(() => {}) // never answers
    const { client } = await connected(server.url, { requestTimeoutMs: 100 })
    const error = await errorOf(client.send(new Uint8Array([1])))
    expect(error).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
    expect((error as Error).message).toContain('timed out')
  })

  it('close() aborts a request in flight with HB_ERR_TRANSPORT_CLOSED and delivers nothing after', async () => {
    const server = await scripted(() => {}) // never answers
    const { client, frames } = await connected(server.url)
    const pending = errorOf(client.send(new Uint8Array([1])))
    await server.waiter.until(() => server.seen.length === 1, 'the request to arrive')
    await client.close()
    expect(await pending).toMatchObject({ code: 'HB_ERR_TRANSPORT_CLOSED' })
    expect(await errorOf(client.send(new Uint8Array([1])))).toMatchObject({ code: 'HB_ERR_TRANSPORT_CLOSED' })
    expect(await errorOf(client.connect({ onFrame() {}, onLinkDown() {} }, { maxFrameBytes: 100 }))).toMatchObject({
      code: 'HB_ERR_TRANSPORT_CLOSED',
    })
    expect(frames).toEqual([])
  })

  it('rejects a send to a server that refuses connections with HB_ERR_TRANSPORT', async () => {
    const client = createHttpClient({ url: 'http://127.0.0.1:9/hb' })
    cleanup.add(() => client.close())
    await client.connect({ onFrame() {}, onLinkDown() {} }, { maxFrameBytes: 100 })
    expect(await errorOf(client.send(new Uint8Array([1])))).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
  })

  it('carries a beater to a monitor and back on a fake clock: beats, acks, online, then left on stop', async () => {
    const clock = createFakeClock()
    const server = createHttpServer({ host: '127.0.0.1', port: 0, path: '/hb' })
    const monitor = createMonitor({ secret: 's3cret', timeoutMs: 2000, transports: [server], clock })
    cleanup.add(() => monitor.close())
    const recorder = recordMonitorEvents(monitor, ['online', 'offline'])
    await monitor.start()
    // The real client, counted: each send() resolves once its response was handled.
    const client = createHttpClient({ url: server.address()!.url! })
    const waiter = createWaiter()
    let answered = 0
    const counted: ClientTransport = {
      name: client.name,
      kind: client.kind,
      encoding: client.encoding,
      connect: (handler, options) => client.connect(handler, options),
      send: (bytes) => client.send(bytes).finally(() => (answered++, waiter.notify())),
      close: () => client.close(),
    }
    const beater = createBeater({ id: 'web-1', secret: 's3cret', transport: counted, intervalMs: 500, jitter: 0, clock })
    const acks: number[] = []
    beater.on('ack', ({ seq }) => (acks.push(seq), waiter.notify()))
    const stop = beater.start()
    cleanup.add(() => stop({ bye: false }))
    await recorder.until(() => recorder.events.length === 1, 'online')
    await waiter.until(() => answered === 1 && acks.length === 1, 'the hello answered with an ack')
    // Every beat is due on the fake clock: the sockets are real, the time is not.
    for (let beat = 1; beat <= 3; beat++) {
      clock.advance(500)
      await waiter.until(() => answered > beat, `beat ${beat} answered`)
    }
    expect(monitor.stats().accepted).toBe(4)
    expect(beater.stats().sent).toBe(4)
    await stop()
    await recorder.until(() => recorder.events.length === 2, 'offline (left)')
    expect(recorder.events).toEqual(['online web-1', 'offline web-1 left'])
  })

  it("encoding 'binary': posts octet-stream binary frames, and the monitor acks in kind", async () => {
    const server = createHttpServer({ host: '127.0.0.1', port: 0, path: '/hb' })
    const monitor = createMonitor({ secret: 's3cret', timeoutMs: 2000, transports: [server] })
    cleanup.add(() => monitor.close())
    await monitor.start()
    const client = createHttpClient({ url: server.address()!.url!, encoding: 'binary' })
    expect(client.encoding).toBe('binary')
    const sentTypes: (string | null)[] = []
    const answeredTypes: (string | null)[] = []
    const observed: typeof fetch = async (input, init) => {
      sentTypes.push(new Headers(init?.headers).get('content-type'))
      const response = await fetch(input, init)
      answeredTypes.push(response.headers.get('content-type'))
      return response
    }
    const transport = createHttpClient({ url: server.address()!.url!, encoding: 'binary', fetch: observed })
    const waiter = createWaiter()
    const beater = createBeater({ id: 'bin-1', secret: 's3cret', transport, intervalMs: 60_000 })
    const acks: number[] = []
    beater.on('ack', ({ seq }) => (acks.push(seq), waiter.notify()))
    const stop = beater.start()
    cleanup.add(() => stop({ bye: false }))
    await waiter.until(() => acks.length === 1, 'the hello acked')
    expect(sentTypes).toEqual(['application/octet-stream'])
    expect(answeredTypes).toEqual(['application/octet-stream'])
    expect(monitor.get('bin-1')?.state).toBe('alive')
  })

  it('refuses bad options', () => {
    for (const options of [{}, { url: 'not a url' }, { url: 'ftp://x/' }, { url: 'http://x/', timeoutMs: 0 }, { url: 'http://x/', requestTimeoutMs: 0 }, { url: 'http://x/', timeoutMs: 5000 }, { url: 'http://x/', fetch: 1 }, { url: 'http://x/', encoding: 'text' }]) {
      expect(() => createHttpClient(options as never)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
  })
})
