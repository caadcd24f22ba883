import { afterEach, describe, expect, it } from 'vitest'
import { request as httpRequest } from 'node:http'
import type { ClientRequest, IncomingMessage } from 'node:http'
import type { NodeBody } from '../src/node-body.js'
import { readNodeBody } from '../src/node-body.js'
import { createCleanup, createWaiter, listen } from './helpers.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

/**
 * A server that reads each request with readNodeBody (limit 64) and records
 * every chunk it sees and every result, and a way to open requests to it.
 */
async function reader() {
  const waiter = createWaiter()
  const chunks: number[] = []
  const results: NodeBody[] = []
  const { url, close } = await listen((req: IncomingMessage, res) => {
    req.on('data', (chunk: Buffer) => (chunks.push(chunk.length), waiter.notify()))
    readNodeBody(req, 64, (body) => {
      results.push(body)
      waiter.notify()
      res.writeHead(body.kind === 'too-large' ? 413 : 204, body.kind === 'too-large' ? { connection: 'close' } : {}).end()
    })
  })
  cleanup.add(close)
  const open = (headers: Record<string, string | number>): ClientRequest => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers })
    req.on('error', () => {})
    cleanup.add(() => req.destroy())
    return req
  }
  return { waiter, chunks, results, open }
}

const text = (body: NodeBody | undefined): string | undefined => (body?.kind === 'bytes' ? Buffer.from(body.bytes).toString() : undefined)

describe('readNodeBody', () => {
  it('with Content-Length, completes at the last byte, from several chunks, exactly once', async () => {
    const { waiter, chunks, results, open } = await reader()
    const req = open({ 'content-length': 9 })
    req.flushHeaders()
    for (const part of ['abc', 'def']) {
      const seen = chunks.length
      req.write(part)
      await waiter.until(() => chunks.length > seen, `the chunk ${part}`)
    }
    expect(results).toEqual([])
    req.end('ghi')
    await waiter.until(() => results.length > 0, 'the body')
    expect(text(results[0])).toBe('abcdefghi')
    expect(chunks).toEqual([3, 3, 3])
    await new Promise<void>((resolve) => req.once('response', (res) => (res.resume(), res.once('end', resolve))))
    expect(results).toHaveLength(1)
  })

  it('without Content-Length (chunked), completes at the end of the body', async () => {
    const { waiter, chunks, results, open } = await reader()
    const req = open({ 'transfer-encoding': 'chunked' })
    req.write('first,')
    await waiter.until(() => chunks.length > 0, 'the first chunk')
    expect(results).toEqual([])
    req.end('second')
    await waiter.until(() => results.length > 0, 'the body')
    expect(text(results[0])).toBe('first,second')
  })

  it('an empty body is empty bytes', async () => {
    const { waiter, results, open } = await reader()
    open({ 'content-length': 0 }).end()
    await waiter.until(() => results.length > 0, 'the body')
    expect(text(results[0])).toBe('')
  })

  it('refuses a Content-Length over the limit before reading, and a chunked body at the first byte past it', async () => {
    const { waiter, chunks, results, open } = await reader()
    const declared = open({ 'content-length': 65 })
    declared.flushHeaders()
    await waiter.until(() => results.length > 0, 'the refusal')
    expect([results[0], chunks]).toEqual([{ kind: 'too-large' }, []])
    declared.destroy()

    const streamed = open({ 'transfer-encoding': 'chunked' })
    streamed.write('x'.repeat(40))
    await waiter.until(() => chunks.length > 0, 'the first chunk')
    streamed.write('x'.repeat(40))
    await waiter.until(() => results.length > 1, 'the second refusal')
    expect(results[1]).toEqual({ kind: 'too-large' })
  })

  it('reports a client that goes away mid-body as aborted', async () => {
    const { waiter, chunks, results, open } = await reader()
    const req = open({ 'content-length': 20 })
    req.write('only half')
    await waiter.until(() => chunks.length > 0, 'the first chunk')
    req.destroy()
    await waiter.until(() => results.length > 0, 'the abort')
    expect(results).toEqual([{ kind: 'aborted' }])
  })
})
