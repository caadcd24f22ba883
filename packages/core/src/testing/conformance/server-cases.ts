/**
 * The server transport's own lifecycle, sentence by sentence of
 * `ServerTransport` in transport.ts ([S1]–[S11]): one start, no start after
 * close, a close during start, an idempotent close that reports links first
 * and frees the port.
 */
import type { Register } from './register.js'
import { freePort, rejectionOf, track } from './harness.js'

export function serverCases(register: Register): void {
  register('S1 server declares its kind and a short lower-case name', async ({ conf, expect, createServer }) => {
    const { server } = createServer()
    expect(server.kind).toBe(conf.kind)
    expect(/^[a-z][a-z0-9-]*$/.test(server.name)).toBe(true)
  })

  register('S2 start() resolves once listening: address() gives the bound port', async ({ conf, expect, startServer }) => {
    const { address } = await startServer()
    expect(Number.isInteger(address.port) && address.port > 0 && address.port <= 65_535).toBe(true)
    expect(typeof address.host === 'string' && address.host !== '').toBe(true)
    if (conf.kind !== 'datagram' && address.url !== undefined) expect(address.url.includes(String(address.port))).toBe(true)
  })

  register('S3 address() is null before start() and after close()', async ({ expect, createServer, conf }) => {
    const { server, recorder } = createServer()
    expect(server.address()).toBeNull()
    await server.start(recorder, { maxFrameBytes: conf.maxFrameBytes })
    await server.close()
    expect(server.address()).toBeNull()
  })

  register(
    'S4 start() on a busy port rejects HB_ERR_TRANSPORT, and close() still resolves',
    async ({ startServer, createServer, expectCode, conf, expect }) => {
      const { address } = await startServer()
      const { server, recorder } = createServer(address.port)
      expectCode(await rejectionOf(server.start(recorder, { maxFrameBytes: conf.maxFrameBytes })), 'HB_ERR_TRANSPORT')
      expect(server.address()).toBeNull()
      await server.close()
    },
    (conf) => !conf.listens && 'listens: false, the port belongs to the host server',
  )

  register('S5 start() a second time rejects HB_ERR_TRANSPORT; the first start keeps serving', async (context) => {
    const { server, recorder, address } = await context.startServer()
    context.expectCode(await rejectionOf(server.start(recorder, { maxFrameBytes: context.conf.maxFrameBytes })), 'HB_ERR_TRANSPORT')
    context.expect(server.address()?.port).toBe(address.port)
    const c = await context.openClient(address)
    await c.client.send(new Uint8Array([1, 2, 3]))
    await context.until(() => c.received.length === 1, 'the echo after a refused second start()')
  })

  register('S6 start() after close() rejects HB_ERR_TRANSPORT_CLOSED, also when it was never started', async ({ createServer, conf, expectCode, expect }) => {
    const started = createServer()
    await started.server.start(started.recorder, { maxFrameBytes: conf.maxFrameBytes })
    await started.server.close()
    expectCode(await rejectionOf(started.server.start(started.recorder, { maxFrameBytes: conf.maxFrameBytes })), 'HB_ERR_TRANSPORT_CLOSED')
    const never = createServer()
    await never.server.close()
    expectCode(await rejectionOf(never.server.start(never.recorder, { maxFrameBytes: conf.maxFrameBytes })), 'HB_ERR_TRANSPORT_CLOSED')
    expect(never.server.address()).toBeNull()
  })

  register('S7 close() during start(): start() rejects HB_ERR_TRANSPORT_CLOSED and the port is freed', async (context) => {
    const { conf, expect, expectCode } = context
    const port = conf.listens ? await freePort(context) : undefined
    const { server, recorder } = context.createServer(port)
    const starting = rejectionOf(server.start(recorder, { maxFrameBytes: conf.maxFrameBytes }))
    const closing = server.close()
    expectCode(await context.within(starting, 'start() to settle'), 'HB_ERR_TRANSPORT_CLOSED')
    await context.within(closing, 'close() to resolve')
    expect(server.address()).toBeNull()
    if (port !== undefined) {
      const again = await context.startServer(port)
      expect(again.address.port).toBe(port)
    }
  })

  register('S8 close() is idempotent: later calls return the same promise', async ({ startServer, expect, within }) => {
    const { server } = await startServer()
    const first = server.close()
    const second = server.close()
    expect(second).toBe(first)
    await within(Promise.all([first, second]), 'close() to resolve')
    expect(server.close()).toBe(first)
  })

  register(
    'S9 close() releases the port: a new server binds the same port',
    async ({ startServer, expect }) => {
      const { server, address } = await startServer()
      const c = track(server.close())
      await server.close()
      expect(c.settled).toBe('resolved')
      const again = await startServer(address.port)
      expect(again.address.port).toBe(address.port)
    },
    (conf) => !conf.listens && 'listens: false, the port belongs to the host server',
  )

  register(
    'S10 close() reports every link down (once) before it resolves, and clients see link-down',
    async ({ startServer, openClient, until, expect, within }) => {
      const { server, recorder, address } = await startServer()
      const clients = await Promise.all([1, 2, 3].map(() => openClient(address)))
      await until(() => recorder.up.length === 3, 'three links up')
      await within(server.close(), 'close() to resolve')
      expect(recorder.down.length).toBe(3)
      expect(new Set(recorder.down).size).toBe(3)
      expect(recorder.down.every((link) => recorder.up.includes(link))).toBe(true)
      await until(() => clients.every((c) => c.downs.length === 1), 'link-down on every client')
    },
    (conf) => conf.kind !== 'connection' && `kind: ${conf.kind} has no links`,
  )

  register('S11 after close() the handler hears nothing more', async ({ startServer, openClient, until, expect, conf }) => {
    const { server, recorder, address } = await startServer()
    const c = await openClient(address)
    await c.client.send(new Uint8Array([7]))
    await until(() => c.received.length === 1, 'the echo before close')
    await server.close()
    const calls = recorder.events.length
    // Whatever the client can still do (a datagram goes out, a request fails, a link is gone) reaches no handler.
    await c.client.send(new Uint8Array([8])).catch(() => undefined)
    const late = await openClient(address, { connect: false })
    await late.connect().catch(() => undefined)
    await late.client.send(new Uint8Array([9])).catch(() => undefined)
    // A round trip through a fresh server proves the sends above have left; the old handler still heard nothing.
    if (conf.listens) {
      const witness = await startServer()
      const w = await openClient(witness.address)
      await w.client.send(new Uint8Array([10]))
      await until(() => w.received.length === 1, 'a round trip on another server')
    }
    expect(recorder.events.length).toBe(calls)
  })
}
