import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HeartbeatError } from '@hb/core'
import type { Link, ServerTransportHandler } from '@hb/core/adapter'
import type { ServerTransport } from '@hb/core'
import { createTcpServer } from '../src/index.js'
import { createWaiter, rawClient, WAIT_MS } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const codeOf = (error: unknown): string | undefined => (HeartbeatError.isInstance(error) ? error.code : undefined)
const failureOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e)

function recorder() {
  const waiter = createWaiter()
  const up: Link[] = []
  const down: Link[] = []
  const handler: ServerTransportHandler = {
    onFrame: () => ({ accepted: true }),
    onLinkUp: (link) => void (up.push(link), waiter.notify()),
    onLinkDown: (link) => void (down.push(link), waiter.notify()),
    onRejected: () => undefined,
  }
  return { handler, up, down, until: waiter.until }
}

async function started(server: ServerTransport = createTcpServer({ host: '127.0.0.1', port: 0 })) {
  const r = recorder()
  cleanup.push(() => server.close())
  await server.start(r.handler, { maxFrameBytes: 1024 })
  const address = server.address()
  if (address === null) throw new Error('no address')
  return { server, address, ...r }
}

describe('createTcpServer', () => {
  it('rejects bad options at once with HB_ERR_CONFIG', () => {
    const bad = [
      { port: -1 },
      { port: 65_536 },
      { port: 1.5 },
      { port: 0, keepAliveInitialDelayMs: -1 },
      { port: 0, maxBufferedBytes: 0 },
    ]
    for (const options of bad) {
      const error = (() => {
        try {
          createTcpServer(options)
        } catch (e) {
          return e
        }
      })()
      expect(codeOf(error), JSON.stringify(options)).toBe('HB_ERR_CONFIG')
    }
  })

  it('is named tcp, of kind connection, and has no address before start', () => {
    const server = createTcpServer({ port: 0 })
    expect([server.name, server.kind, server.address()]).toEqual(['tcp', 'connection', null])
  })

  it('reports where it listens, with the real port', async () => {
    const { address } = await started()
    expect(address).toMatchObject({ host: '127.0.0.1', family: 'IPv4' })
    expect(address.port).toBeGreaterThan(0)
  })

  it('rejects start with HB_ERR_TRANSPORT when the port is taken, and holds nothing', async () => {
    const blocker = createServer()
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    blocker.listen(0, '127.0.0.1')
    await once(blocker, 'listening', { signal: AbortSignal.timeout(WAIT_MS) })
    const port = (blocker.address() as AddressInfo).port
    const server = createTcpServer({ host: '127.0.0.1', port })
    const error = await failureOf(server.start(recorder().handler, { maxFrameBytes: 1024 }))
    expect(codeOf(error)).toBe('HB_ERR_TRANSPORT')
    expect((error as Error).cause).toMatchObject({ code: 'EADDRINUSE' })
    expect(server.address()).toBeNull()
    await server.close()
  })

  it('starts once: a second start rejects with HB_ERR_TRANSPORT, a start after close with HB_ERR_TRANSPORT_CLOSED', async () => {
    const { server } = await started()
    expect(codeOf(await failureOf(server.start(recorder().handler, { maxFrameBytes: 1024 })))).toBe('HB_ERR_TRANSPORT')
    await server.close()
    expect(codeOf(await failureOf(server.start(recorder().handler, { maxFrameBytes: 1024 })))).toBe('HB_ERR_TRANSPORT_CLOSED')
  })

  it('closes cleanly when never started, and when closed while starting', async () => {
    await createTcpServer({ port: 0 }).close()
    const server = createTcpServer({ host: '127.0.0.1', port: 0 })
    const starting = server.start(recorder().handler, { maxFrameBytes: 1024 })
    const closing = server.close()
    expect(server.address()).toBeNull()
    await Promise.allSettled([starting])
    await closing
    expect(server.address()).toBeNull()
  })

  it("gives each link a distinct id and the peer's host:port", async () => {
    const s = await started()
    const a = await rawClient(s.address.port)
    const b = await rawClient(s.address.port)
    cleanup.push(() => void a.socket.destroy(), () => void b.socket.destroy())
    await s.until(() => s.up.length === 2, 'two links')
    expect(new Set(s.up.map((l) => l.id)).size).toBe(2)
    expect(s.up.map((l) => l.remoteAddress).sort()).toEqual(
      [a.socket.localPort, b.socket.localPort].map((port) => `127.0.0.1:${port}`).sort(),
    )
  })

  it('reports link-down once when a peer half-closes, errors or resets', async () => {
    const s = await started()
    const polite = await rawClient(s.address.port)
    const rude = await rawClient(s.address.port)
    await s.until(() => s.up.length === 2, 'two links')
    polite.socket.end()
    rude.socket.resetAndDestroy()
    await s.until(() => s.down.length === 2, 'two link-downs')
    await polite.untilClosed('the server closing the half-closed socket')
    expect(new Set(s.down).size).toBe(2)
  })

  it('close() reports every link down before it resolves, and frees the port', async () => {
    const s = await started()
    const clients = await Promise.all([rawClient(s.address.port), rawClient(s.address.port)])
    await s.until(() => s.up.length === 2, 'two links')
    await s.server.close()
    expect(s.down.length).toBe(2)
    for (const client of clients) await client.untilClosed('the client socket closed by the server')
    const again = await started(createTcpServer({ host: '127.0.0.1', port: s.address.port }))
    expect(again.address.port).toBe(s.address.port)
  })
})

