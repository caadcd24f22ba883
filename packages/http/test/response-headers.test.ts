import { afterEach, describe, expect, it } from 'vitest'
import { request as httpRequest } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { createMonitor } from '@hb/core'
import { decodeFrame, signFrame } from '@hb/core/protocol'
import type { FrameFields } from '@hb/core/protocol'
import { createFetchHandler, createHttpHandler, createHttpServer } from '../src/index.js'
import { createCleanup, listen } from './helpers.js'

const SECRET = new TextEncoder().encode('http-test-secret')
const cleanup = createCleanup()
afterEach(() => cleanup.run())

let nextSeq = 1
/** A beat asks for its ack (wire format v2: else it is answered 204); an ack carries a timeout, never the flag. */
const ackFields = (fields: Partial<FrameFields>): Partial<FrameFields> =>
  fields.type === 'ack' ? { timeoutMs: 1000, ...fields } : fields.type === 'bye' ? fields : { ackRequested: true, ...fields }

const frame = (fields: Partial<FrameFields> = {}, encoding: 'json' | 'binary' = 'json'): Uint8Array =>
  signFrame({ type: 'beat', peerId: 'p1', keyId: '', incarnation: 1, seq: nextSeq++, timestampMs: Date.now(), ...ackFields(fields) }, SECRET, encoding)

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** One POST over node:http, with the headers exactly as the server sent them. */
function post(url: string, body: Uint8Array, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': contentType }, signal: AbortSignal.timeout(5000) }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

function startMonitor(acks = true) {
  const monitor = createMonitor({ secret: SECRET, acks })
  cleanup.add(() => monitor.close())
  return monitor
}

const ackHeaders = (contentType: string, length: number) => ({
  'content-type': contentType,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-length': String(length),
})

describe('response headers on node:http', () => {
  it.each([
    ['json', 'application/json'],
    ['binary', 'application/octet-stream'],
  ] as const)('a %s ack: its media type, no-store, nosniff and its exact length, not chunked', async (encoding, contentType) => {
    const { url, close } = await listen(createHttpHandler(startMonitor()))
    cleanup.add(close)
    const answer = await post(url, frame({}, encoding), contentType)
    expect(answer.status).toBe(200)
    expect(answer.headers).toMatchObject(ackHeaders(contentType, answer.body.length))
    expect(answer.headers['transfer-encoding']).toBeUndefined()
    const ack = decodeFrame(answer.body, 4096)
    expect(ack.ok && [ack.encoding, ack.frame.type]).toEqual([encoding, 'ack'])
  })

  it('an ack carries its bytes exactly, non-ASCII peer id and all', async () => {
    const { url, close } = await listen(createHttpHandler(startMonitor()))
    cleanup.add(close)
    const peerId = 'pïèr-🙂-\u00ff'
    for (const encoding of ['json', 'binary'] as const) {
      const answer = await post(url, frame({ peerId }, encoding), encoding === 'json' ? 'application/json' : 'application/octet-stream')
      expect(answer.headers['content-length']).toBe(String(answer.body.length))
      const ack = decodeFrame(answer.body, 4096)
      expect(ack.ok && [ack.encoding, ack.frame.peerId]).toEqual([encoding, peerId])
    }
  })

  it('acks of different lengths each carry their own content-length', async () => {
    const { url, close } = await listen(createHttpHandler(startMonitor()))
    cleanup.add(close)
    const short = await post(url, frame({ peerId: 'p' }))
    const long = await post(url, frame({ peerId: 'p'.repeat(200) }))
    expect(long.body.length - short.body.length).toBe(199)
    for (const answer of [short, long]) expect(answer.headers['content-length']).toBe(String(answer.body.length))
  })

  it('an error: JSON, no-store, nosniff and its exact length', async () => {
    const { url, close } = await listen(createHttpHandler(startMonitor()))
    cleanup.add(close)
    for (let i = 0; i < 2; i++) {
      // The second time from the answers built once.
      const answer = await post(url, new TextEncoder().encode('{"v":1}'))
      expect(answer.status).toBe(400)
      expect(answer.headers).toMatchObject(ackHeaders('application/json', answer.body.length))
      expect(JSON.parse(answer.body.toString())).toEqual({ error: 'malformed' })
    }
  })

  it('one-way (acks: false): 204 with no body and no content type, on the server transport', async () => {
    const transport = createHttpServer({ host: '127.0.0.1', port: 0 })
    const monitor = createMonitor({ secret: SECRET, acks: false, transports: [transport] })
    cleanup.add(() => monitor.close())
    await monitor.start()
    const answer = await post(transport.address()!.url!, frame({ type: 'hello', intervalMs: 1000 }))
    expect([answer.status, answer.body.length]).toEqual([204, 0])
    expect(answer.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
    expect(answer.headers['content-type']).toBeUndefined()
    expect(monitor.size).toBe(1)
  })

  it('keeps headers an earlier layer set, and overrides the ones it sets itself', async () => {
    const hb = createHttpHandler(startMonitor())
    const { url, close } = await listen((req, res) => {
      // What Express and friends do before a handler runs.
      res.setHeader('x-powered-by', 'Express')
      res.setHeader('cache-control', 'public, max-age=60')
      hb(req, res)
    })
    cleanup.add(close)
    const answer = await post(url, frame())
    expect(answer.status).toBe(200)
    expect(answer.headers).toMatchObject({ ...ackHeaders('application/json', answer.body.length), 'x-powered-by': 'Express' })
  })
})

describe('response headers of the fetch handler', () => {
  it('an ack: the same headers as on node:http', async () => {
    const handle = createFetchHandler(startMonitor())
    const response = await handle(new Request('http://hb.test/', { method: 'POST', body: frame(), headers: { 'content-type': 'application/json' } }))
    const body = new Uint8Array(await response.arrayBuffer())
    expect(response.status).toBe(200)
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    expect(decodeFrame(body, 4096)).toMatchObject({ ok: true, encoding: 'json' })
  })

  it('one-way (acks: false): 204 with no body', async () => {
    const handle = createFetchHandler(startMonitor(false))
    const response = await handle(new Request('http://hb.test/', { method: 'POST', body: frame() }))
    expect([response.status, await response.text()]).toEqual([204, ''])
    expect(response.headers.get('content-type')).toBeNull()
  })
})
