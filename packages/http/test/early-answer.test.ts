import { afterEach, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { createMonitor } from '@hb/core'
import { createCodeskyblueHandler, createHttpHandler } from '../src/index.js'
import { lingerAfterAnswer } from '../src/linger-close.js'
import { createCleanup, listen } from './helpers.js'

// Issue 15, item 6: a request refused before its body was read (413 over the limit, 415) must
// reach a client that is still sending, not end in a connection reset.

const cleanup = createCleanup()
afterEach(() => cleanup.run())

const CHUNK = `400\r\n${'x'.repeat(0x400)}\r\n` // one 1 KiB chunk of a chunked body
const MAX_CHUNKS = 16_384 // 16 MiB: far more than any limit, so the client is still sending when refused

/**
 * Sends `head` and then a chunked body without end, as an upload client does,
 * until the server has answered (or 16 MiB went out); then waits for the server
 * to close. Returns what the client read and any socket error it saw.
 */
async function uploadUntilAnswered(port: number, head: string): Promise<{ received: string; error: NodeJS.ErrnoException | undefined }> {
  const socket = connect(port, '127.0.0.1')
  cleanup.add(() => socket.destroy())
  let received = ''
  let error: NodeJS.ErrnoException | undefined
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
  const closed = new Promise<void>((resolve, reject) => {
    const signal = AbortSignal.timeout(5000)
    signal.addEventListener('abort', () => reject(new Error('the connection did not close within 5 s')), { once: true })
    socket.once('close', () => resolve())
  })
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e))
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  socket.write(head)
  for (let i = 0; i < MAX_CHUNKS && !received.includes('\r\n\r\n') && !socket.destroyed; i++) {
    if (!socket.write(CHUNK)) await new Promise<void>((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)))
  }
  await closed
  return { received, error }
}

async function nativeServer() {
  const monitor = createMonitor({ secret: 'secret' })
  cleanup.add(() => monitor.close())
  const { server, close } = await listen(createHttpHandler(monitor, { maxBodyBytes: 1024 }))
  cleanup.add(close)
  return (server.address() as { port: number }).port
}

const head = (contentType: string) => `POST /hb HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`

describe('an early answer reaches a client still sending', () => {
  it('413 on a raw socket: the status arrives, then a clean close, no reset', async () => {
    const { received, error } = await uploadUntilAnswered(await nativeServer(), head('application/json'))
    expect(received).toMatch(/^HTTP\/1\.1 413 /)
    expect(received).toMatch(/\r\nconnection: close\r\n/i)
    expect(received.endsWith('{"error":"too-large"}')).toBe(true)
    expect(error?.code).toBeUndefined()
  })

  it('415 before the body on a raw socket: the status arrives, no reset', async () => {
    const { received, error } = await uploadUntilAnswered(await nativeServer(), head('text/plain'))
    expect(received).toMatch(/^HTTP\/1\.1 415 /)
    expect(error?.code).toBeUndefined()
  })

  it('413 with fetch streaming a body: fetch gets the response, not a network error', async () => {
    const port = await nativeServer()
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // A bounded upload that is far over the limit: 16 MiB in 64 KiB chunks.
        if (sent >= MAX_CHUNKS * 0x400) return controller.close()
        sent += 0x10000
        controller.enqueue(new Uint8Array(0x10000).fill(0x20))
      },
    })
    const response = await fetch(`http://127.0.0.1:${port}/hb`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
      signal: AbortSignal.timeout(5000),
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({ error: 'too-large' })
  })

  it('the codeskyblue endpoint: 413 on a raw socket arrives too', async () => {
    const monitor = createMonitor({ secret: 'secret' })
    cleanup.add(() => monitor.close())
    const { server, close } = await listen(createCodeskyblueHandler(monitor))
    cleanup.add(close)
    const port = (server.address() as { port: number }).port
    const { received, error } = await uploadUntilAnswered(port, head('application/x-www-form-urlencoded'))
    expect(received).toMatch(/^HTTP\/1\.1 413 /)
    expect(error?.code).toBeUndefined()
  })
})

describe('lingering close', () => {
  it('is bounded: a client that never stops sending is closed after the grace', async () => {
    const { server, close } = await listen((req, res) => {
      lingerAfterAnswer(req, res, 100)
      res.writeHead(413, { connection: 'close' }).end()
    })
    cleanup.add(close)
    const socket = connect((server.address() as { port: number }).port, '127.0.0.1')
    cleanup.add(() => socket.destroy())
    socket.on('error', () => {})
    let received = ''
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
    // allowHalfOpen: the client's side stays writable after the server's FIN, as a stubborn uploader's would.
    socket.allowHalfOpen = true
    socket.write(head('application/json'))
    const trickle = setInterval(() => socket.writable && socket.write(CHUNK), 10)
    cleanup.add(() => clearInterval(trickle))
    await new Promise<void>((resolve, reject) => {
      AbortSignal.timeout(5000).addEventListener('abort', () => reject(new Error('not closed within 5 s')), { once: true })
      socket.once('close', () => resolve())
    })
    expect(received).toMatch(/^HTTP\/1\.1 413 /)
  })
})
