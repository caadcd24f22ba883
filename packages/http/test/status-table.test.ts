import { afterEach, describe, expect, it } from 'vitest'
import { request as httpRequest } from 'node:http'
import { createMonitor } from '@hb/core'
import { decodeFrame, signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import type { Monitor } from '@hb/core'
import { createFetchHandler, createHttpHandler } from '../src/index.js'
import { createCleanup, listen } from './helpers.js'

const SECRET = new TextEncoder().encode('http-test-secret')
const MAX_BODY = 1024
const cleanup = createCleanup()
afterEach(() => cleanup.run())

/** A beat asks for its ack (wire format v2: else it is answered 204); an ack carries a timeout, never the flag. */
const ackFields = (fields: Partial<FrameFields>): Partial<FrameFields> =>
  fields.type === 'ack' ? { timeoutMs: 1000, ...fields } : fields.type === 'bye' ? fields : { ackRequested: true, ...fields }

const frame = (fields: Partial<FrameFields> = {}, encoding: 'json' | 'binary' = 'json', key = SECRET): Uint8Array =>
  signFrame({ type: 'beat', peerId: 'p1', keyId: '', incarnation: 1, seq: 1, timestampMs: Date.now(), ...ackFields(fields) }, key, encoding)

interface Probe {
  method?: string
  path?: string
  body?: Uint8Array | string
  /** Send the body chunked, without Content-Length. */
  stream?: boolean
  /** Default `application/json`; `null` sends none. */
  contentType?: string | null
}

const headersOf = (probe: Probe): Record<string, string> => (probe.contentType === null ? {} : { 'content-type': probe.contentType ?? 'application/json' })

/** One way of serving the handler: a real node:http server, or the fetch handler called directly. */
interface Server {
  send(probe: Probe): Promise<Response>
}

type ServerFactory = (monitor: Monitor) => Promise<Server>

const servers: [string, ServerFactory][] = [
  [
    'createHttpHandler on node:http',
    async (monitor) => {
      const { url, close } = await listen(createHttpHandler(monitor, { path: '/hb', maxBodyBytes: MAX_BODY }))
      cleanup.add(close)
      return {
        send: (probe) => {
          const body = probe.stream ? chunked(probe.body) : probe.body
          return fetch(`${url}${probe.path ?? '/hb'}`, {
            method: probe.method ?? 'POST',
            body,
            headers: headersOf(probe),
            ...(probe.stream ? { duplex: 'half' } : {}),
            signal: AbortSignal.timeout(5000),
          } as RequestInit)
        },
      }
    },
  ],
  [
    'createFetchHandler',
    async (monitor) => {
      const handle = createFetchHandler(monitor, { path: '/hb', maxBodyBytes: MAX_BODY, remoteAddress: () => '203.0.113.9:4000' })
      return {
        send: (probe) =>
          handle(
            new Request(`http://hb.test${probe.path ?? '/hb'}`, {
              method: probe.method ?? 'POST',
              body: probe.stream ? chunked(probe.body) : probe.body,
              headers: headersOf(probe),
              ...(probe.stream ? { duplex: 'half' } : {}),
            } as RequestInit),
          ),
      }
    },
  ],
]

/** A body stream of 256-byte chunks (so no Content-Length is sent). */
function chunked(body: Uint8Array | string | undefined): ReadableStream<Uint8Array> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : (body ?? new Uint8Array(0))
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + 256))
      offset += 256
    },
  })
}

interface Case {
  name: string
  status: number
  error?: string
  headers?: Record<string, string>
  /** Frames sent (and accepted) first. */
  before?: () => Uint8Array[]
  probe: () => Probe
  maxPeers?: number
}

const marker = 'ECHO-CANARY-1234'
const cases: Case[] = [
  { name: 'wrong method', status: 405, error: 'method-not-allowed', headers: { allow: 'POST' }, probe: () => ({ method: 'GET' }) },
  { name: 'PUT is a wrong method too', status: 405, error: 'method-not-allowed', headers: { allow: 'POST' }, probe: () => ({ method: 'PUT', body: frame() }) },
  {
    name: 'a form',
    status: 415,
    error: 'unsupported-media-type',
    headers: { 'accept-post': 'application/json, application/octet-stream' },
    probe: () => ({ body: frame(), contentType: 'application/x-www-form-urlencoded' }),
  },
  {
    name: 'text/plain',
    status: 415,
    error: 'unsupported-media-type',
    headers: { 'accept-post': 'application/json, application/octet-stream' },
    probe: () => ({ body: frame(), contentType: 'text/plain;charset=UTF-8' }),
  },
  { name: 'a JSON-like type that is not JSON', status: 415, error: 'unsupported-media-type', probe: () => ({ body: frame(), contentType: 'application/jsonx' }) },
  { name: 'another path', status: 404, error: 'not-found', probe: () => ({ path: '/elsewhere', body: frame() }) },
  { name: 'Content-Length over the limit', status: 413, error: 'too-large', probe: () => ({ body: new Uint8Array(MAX_BODY + 1).fill(0x7b) }) },
  { name: 'a chunked body over the limit', status: 413, error: 'too-large', probe: () => ({ body: new Uint8Array(4 * MAX_BODY).fill(0x20), stream: true }) },
  { name: 'garbage', status: 400, error: 'malformed', probe: () => ({ body: `{"v":1,"note":"${marker}"}` }) },
  { name: 'an empty body', status: 400, error: 'malformed', probe: () => ({ body: '' }) },
  { name: 'an ack sent to the monitor', status: 400, error: 'unexpected', probe: () => ({ body: frame({ type: 'ack' }) }) },
  { name: 'a bad MAC', status: 401, error: 'bad-signature', probe: () => ({ body: frame({ peerId: marker }, 'json', new TextEncoder().encode('wrong')) }) },
  { name: 'an unknown key id', status: 401, error: 'unknown-key', probe: () => ({ body: frame({ keyId: 'k9' }) }) },
  { name: 'a stale frame', status: 409, error: 'stale', probe: () => ({ body: frame({ timestampMs: Date.now() - 120_000 }) }) },
  {
    name: 'a replayed frame',
    status: 409,
    error: 'replay',
    before: () => [frame({ seq: 7 })],
    probe: () => ({ body: frame({ seq: 7 }) }),
  },
  {
    name: 'a new peer past maxPeers',
    status: 429,
    error: 'peer-limit',
    maxPeers: 1,
    before: () => [frame({ peerId: 'first' })],
    probe: () => ({ body: frame({ peerId: 'second' }) }),
  },
]

describe.each(servers)('status table: %s', (_name, makeServer) => {
  async function setup(maxPeers?: number) {
    const monitor = createMonitor({ secret: SECRET, maxFrameBytes: MAX_BODY, ...(maxPeers ? { maxPeers } : {}) })
    cleanup.add(() => monitor.close())
    const rejected: string[] = []
    monitor.on('rejected', (info) => rejected.push(`${info.reason} ${info.transport}`))
    return { monitor, rejected, server: await makeServer(monitor) }
  }

  it.each(cases)('$name → $status', async (c) => {
    const { monitor, server } = await setup(c.maxPeers)
    for (const bytes of c.before?.() ?? []) expect((await server.send({ body: bytes })).status).toBe(200)
    const response = await server.send(c.probe())
    expect(response.status).toBe(c.status)
    expect(response.headers.get('content-type')).toBe('application/json')
    for (const [name, value] of Object.entries(c.headers ?? {})) expect(response.headers.get(name)).toBe(value)
    const text = await response.text()
    expect(JSON.parse(text)).toEqual({ error: c.error })
    expect(text).not.toContain(marker)
    if (c.status === 413) expect(response.headers.get('connection')).toBe('close')
    expect(monitor.size).toBe(c.before?.().length ?? 0)
  })

  it('200: a JSON hello is acked with a signed JSON ack, and the peer is online over http', async () => {
    const { monitor, server } = await setup()
    const online: string[] = []
    monitor.on('online', (peer) => online.push(`${peer.id} ${peer.transport}`))
    const response = await server.send({ body: frame({ type: 'hello', intervalMs: 1000, seq: 3 }) })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const ack = decodeFrame(new Uint8Array(await response.arrayBuffer()), 4096)
    expect(ack.ok && ack.encoding).toBe('json')
    expect(ack.ok && ack.frame).toMatchObject({ type: 'ack', peerId: 'p1', seq: 3, incarnation: 1 })
    expect(online).toEqual(['p1 http'])
  })

  it('204: an accepted beat that did not ask for an ack (the core did not reply): no body, no content type', async () => {
    const { monitor, server } = await setup()
    expect((await server.send({ body: frame({ type: 'hello', intervalMs: 1000, seq: 1 }) })).status).toBe(200)
    const response = await server.send({ body: frame({ seq: 2, ackRequested: false }) })
    expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([204, null, ''])
    expect(monitor.stats().accepted).toBe(2)
  })

  it('200: a binary frame sent as application/octet-stream gets a binary ack', async () => {
    const { server } = await setup()
    const response = await server.send({ body: frame({}, 'binary'), contentType: 'application/octet-stream' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    const ack = decodeFrame(new Uint8Array(await response.arrayBuffer()), 4096)
    expect(ack.ok && ack.encoding).toBe('binary')
  })

  it.each([['application/json; charset=utf-8'], ['Application/JSON'], [' application/json ;x=y'], [null]] as const)(
    '200: Content-Type %s is a JSON frame (none: the core tells the encoding by the first byte)',
    async (contentType) => {
      const { server } = await setup()
      const response = await server.send({ body: frame({ seq: 5 }), contentType })
      expect([response.status, response.headers.get('content-type')]).toEqual([200, 'application/json'])
      const ack = decodeFrame(new Uint8Array(await response.arrayBuffer()), 4096)
      expect(ack.ok && [ack.encoding, ack.frame.seq]).toEqual(['json', 5])
    },
  )

  it('reports transport-level refusals (too-large) to the monitor, as http', async () => {
    const { rejected, server } = await setup()
    await (await server.send({ body: new Uint8Array(MAX_BODY + 1) })).text()
    await (await server.send({ body: frame({}, 'json', new TextEncoder().encode('wrong')) })).text()
    // 404, 405 and 415 are about the request, not a frame: not counted.
    await (await server.send({ body: frame(), contentType: 'text/plain' })).text()
    await (await server.send({ method: 'GET' })).text()
    expect(rejected).toEqual(['too-large http', 'bad-signature http'])
  })
})

describe('createHttpHandler in Node stacks', () => {
  it('calls next() for another path in a Connect-style stack, and 404s without one', async () => {
    const monitor = createMonitor({ secret: SECRET })
    cleanup.add(() => monitor.close())
    const hb = createHttpHandler(monitor, { path: '/hb' })
    const { url, close } = await listen((req, res) => {
      // The smallest Connect: run the handler, then the next layer.
      hb(req, res, () => {
        res.writeHead(418).end('next layer')
      })
    })
    cleanup.add(close)
    const other = await fetch(`${url}/other?x=1`, { method: 'POST', body: frame() })
    expect([other.status, await other.text()]).toEqual([418, 'next layer'])
    const mine = await fetch(`${url}/hb?x=1`, { method: 'POST', body: frame() })
    expect(mine.status).toBe(200)
  })

  it('takes a body that a body parser (express.json / express.raw) already consumed', async () => {
    const monitor = createMonitor({ secret: SECRET })
    cleanup.add(() => monitor.close())
    const hb = createHttpHandler(monitor)
    const { url, close } = await listen((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const raw = Buffer.concat(chunks)
        // What express.json() and express.raw() leave behind.
        ;(req as unknown as { body: unknown }).body = req.headers['x-parser'] === 'json' ? JSON.parse(raw.toString()) : raw
        hb(req, res)
      })
    })
    cleanup.add(close)
    const parsed = await fetch(url, { method: 'POST', body: frame({ seq: 1 }), headers: { 'x-parser': 'json' } })
    const raw = await fetch(url, { method: 'POST', body: frame({ seq: 2 }), headers: { 'x-parser': 'raw' } })
    expect([parsed.status, raw.status]).toEqual([200, 200])
  })

  it('closes the connection after a streamed body goes over the limit', async () => {
    const monitor = createMonitor({ secret: SECRET })
    cleanup.add(() => monitor.close())
    const { url, close } = await listen(createHttpHandler(monitor, { maxBodyBytes: 100 }))
    cleanup.add(close)
    const { status, closed } = await new Promise<{ status: number; closed: boolean }>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked' } })
      req.on('error', reject)
      req.on('response', (res) => {
        res.resume()
        req.socket?.once('close', () => resolve({ status: res.statusCode ?? 0, closed: true }))
      })
      // Keep writing: the server must stop reading, answer, and hang up.
      req.write(Buffer.alloc(512, 0x20))
    })
    expect([status, closed]).toEqual([413, true])
  })

  it('refuses bad options', () => {
    const monitor = createMonitor({ secret: SECRET })
    for (const options of [{ path: 'hb' }, { path: '/hb?x' }, { maxBodyBytes: 0 }, { maxBodyBytes: 1.5 }]) {
      expect(() => createHttpHandler(monitor, options)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
      expect(() => createFetchHandler(monitor, options)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
    void monitor.close()
  })
})
