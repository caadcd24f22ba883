import { afterEach, describe, expect, it } from 'vitest'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import type { ServerTransportHandler } from '@hb/core/adapter'
import { createHttpServer } from '../src/index.js'
import { boundServerTimeouts, serverOptionsFor } from '../src/server-timeouts.js'
import { createCleanup } from './helpers.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

const echo: ServerTransportHandler = {
  onFrame: (frame) => (frame.reply(frame.bytes.slice()), { accepted: true }),
  onLinkUp() {},
  onLinkDown() {},
  onRejected() {},
}

async function started(requestTimeoutMs: number) {
  const server = createHttpServer({ host: '127.0.0.1', port: 0, requestTimeoutMs })
  cleanup.add(() => server.close())
  await server.start(echo, { maxFrameBytes: 512 })
  return server.address()!.port
}

/** A raw client socket; `closed` resolves with everything the server sent once the server has closed it. */
async function rawClient(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1')
  cleanup.add(() => socket.destroy())
  let received = ''
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
  socket.on('error', () => {})
  const signal = AbortSignal.timeout(5000)
  const closed = new Promise<string>((resolve, reject) => {
    signal.addEventListener('abort', () => reject(new Error('the server did not close the connection within 5 s')), { once: true })
    socket.once('close', () => resolve(received))
  })
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  return { socket, closed }
}

describe('time limits of the server hb creates (issue 15, item 5)', () => {
  it('derive every limit from requestTimeoutMs (default 10 s, the monitor default helloTimeoutMs)', () => {
    const server = createServer(serverOptionsFor(10_000))
    boundServerTimeouts(server, 10_000)
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.timeout]).toEqual([10_000, 10_000, 10_000, 10_000])
    // Node only checks the first two when it sweeps: every second at most, so a limit is not 30 s late.
    expect(serverOptionsFor(10_000)).toEqual({ connectionsCheckingInterval: 1000 })
    expect(serverOptionsFor(200)).toEqual({ connectionsCheckingInterval: 50 })
  })

  it('closes a connection that never sends a byte', async () => {
    const { closed } = await rawClient(await started(200))
    expect(await closed).toBe('')
  })

  it('answers 408 and closes a connection whose headers never end (slowloris)', async () => {
    const { socket, closed } = await rawClient(await started(200))
    socket.write('POST / HTTP/1.1\r\nHost: x\r\n')
    // Trickles a header line more often than the idle limit, so only the headers limit can end it.
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 50)
    cleanup.add(() => clearInterval(trickle))
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('closes a connection whose body never ends (body slowloris)', async () => {
    const { socket, closed } = await rawClient(await started(200))
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{')
    const trickle = setInterval(() => socket.write(' '), 50)
    cleanup.add(() => clearInterval(trickle))
    await closed
  })

  it('closes an idle keep-alive connection, after answering its request', async () => {
    const { socket, closed } = await rawClient(await started(200))
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
    const received = await closed
    expect(received).toMatch(/^HTTP\/1\.1 200 /)
  })
})
