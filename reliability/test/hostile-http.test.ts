/**
 * Hostile inputs on HTTP that hb handles today: announced oversize bodies and
 * wrong methods. (Chunked bodies, slow clients and content types are in
 * fixed-http-limits.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpServer } from '@hb/http'
import { rssMiB } from './support/memory.js'
import { createCleanup, startMonitor } from './support/monitor-harness.js'
import { closed, tcpConnect } from './support/sockets.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

async function httpMonitor() {
  const server = createHttpServer({ host: '127.0.0.1', port: 0 })
  const harness = await startMonitor({ transports: [server] })
  cleanup.add(() => harness.monitor.close())
  return { ...harness, port: server.address()!.port }
}

describe('oversize http bodies', () => {
  it('a 100 MB Content-Length is refused with 413 before the body is read, and the connection closed', async () => {
    const { port, monitor, waiter, rejectedCount } = await httpMonitor()
    const before = rssMiB()
    const socket = await tcpConnect(port)
    cleanup.add(() => socket.destroy())
    let response = ''
    socket.on('data', (data: Buffer) => (response += data.toString('latin1')))
    socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: ${100 << 20}\r\n\r\n`)
    socket.write(Buffer.alloc(1 << 20))
    await closed(socket, 10_000, 'the connection after 413')
    expect(response.startsWith('HTTP/1.1 413')).toBe(true)
    await waiter.until(() => rejectedCount('too-large') === 1, 5000, 'a too-large rejection')
    expect(monitor.size).toBe(0)
    expect(rssMiB() - before).toBeLessThan(32)
  })
})

describe('wrong methods', () => {
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    it(`${method} gets 405 with Allow: POST and creates nothing`, async () => {
      const { port, monitor, rejected } = await httpMonitor()
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method,
        body: method === 'GET' ? undefined : '{}',
        signal: AbortSignal.timeout(5000),
      })
      await response.arrayBuffer()
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
      expect(monitor.size).toBe(0)
      expect(rejected).toEqual([])
    })
  }
})
