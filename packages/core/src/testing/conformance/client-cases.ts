/**
 * The client transport, sentence by sentence of `ClientTransport` in
 * transport.ts ([C1]–[C12]): connect, send, link-down, `disconnect()` and
 * `close()`, and the errors each rejects with ([E1]).
 */
import { HeartbeatError } from '../../errors/heartbeat-error.js'
import { bytesOf, rejectionOf, sameBytes } from './harness.js'
import type { Register, SkipWhen } from './register.js'

const connectionOnly: SkipWhen = (conf) => conf.kind !== 'connection' && `kind: ${conf.kind} has no links`

export function clientCases(register: Register): void {
  register('C1 client declares its kind and an encoding', async ({ conf, expect, startServer, openClient }) => {
    const { address } = await startServer()
    const { client } = await openClient(address, { connect: false })
    expect(client.kind).toBe(conf.kind)
    expect(client.encoding === 'binary' || client.encoding === 'json').toBe(true)
  })

  register(
    'C2 E1 connect() to a server that is gone rejects HB_ERR_TRANSPORT, with the socket error as cause',
    async ({ conf, expect, expectCode, startServer, openClient }) => {
      const { server, address } = await startServer()
      await server.close()
      const c = await openClient(address, { connect: false })
      const error = await rejectionOf(c.connect())
      expectCode(error, 'HB_ERR_TRANSPORT')
      if (!conf.browser) expect((error as Error).cause === undefined).toBe(false)
      expect(c.downs.length).toBe(0)
    },
    (conf) => (conf.kind !== 'connection' ? `kind: ${conf.kind} does not connect` : !conf.listens && 'listens: false, the host server still accepts'),
  )

  register('C3 connect() after close() rejects HB_ERR_TRANSPORT_CLOSED', async ({ expectCode, startServer, openClient }) => {
    const { address } = await startServer()
    const c = await openClient(address)
    await c.client.close()
    expectCode(await rejectionOf(c.connect()), 'HB_ERR_TRANSPORT_CLOSED')
    const never = await openClient(address, { connect: false })
    await never.client.close()
    expectCode(await rejectionOf(never.connect()), 'HB_ERR_TRANSPORT_CLOSED')
  })

  register('C4 send() before connect() rejects HB_ERR_TRANSPORT_CLOSED', async ({ expect, expectCode, startServer, openClient }) => {
    const { address, recorder } = await startServer()
    const c = await openClient(address, { connect: false })
    expectCode(await rejectionOf(c.client.send(new Uint8Array([1]))), 'HB_ERR_TRANSPORT_CLOSED')
    expect(recorder.frames.length).toBe(0)
  })

  register('C5 send() after close() rejects HB_ERR_TRANSPORT_CLOSED; close() is idempotent', async ({ expectCode, startServer, openClient }) => {
    const { address } = await startServer()
    const c = await openClient(address)
    await Promise.all([c.client.close(), c.client.close()])
    await c.client.close()
    expectCode(await rejectionOf(c.client.send(bytesOf(60, 1))), 'HB_ERR_TRANSPORT_CLOSED')
  })

  register(
    'C6 send() resolves only once the response was delivered to onFrame',
    async ({ expect, startServer, openClient }) => {
      const { address } = await startServer()
      const c = await openClient(address)
      await c.client.send(bytesOf(30, 1))
      expect(c.received.length).toBe(1)
      expect(sameBytes(c.received[0], bytesOf(30, 1))).toBe(true)
    },
    (conf) => conf.kind !== 'request' && `kind: ${conf.kind} resolves when the OS took the frame`,
  )

  register(
    'C7 E1 send() rejects HB_ERR_TRANSPORT when the server refuses the frame, and onFrame is not called',
    async ({ expect, expectCode, startServer, openClient }) => {
      const { address, recorder } = await startServer()
      recorder.respond = () => ({ accepted: false, reason: 'bad-signature' })
      const c = await openClient(address)
      expectCode(await rejectionOf(c.client.send(bytesOf(30, 1))), 'HB_ERR_TRANSPORT')
      expect(c.received.length).toBe(0)
    },
    (conf) => conf.kind !== 'request' && `kind: ${conf.kind} has no response to a frame`,
  )

  register(
    'C8 the client reports link-down once when the server drops it, and never after its own close()',
    async ({ expect, startServer, openClient, until }) => {
      const { server, address, recorder } = await startServer()
      const dropped = await openClient(address)
      const closedFirst = await openClient(address)
      await until(() => recorder.up.length === 2, 'two links')
      await closedFirst.client.close()
      await until(() => recorder.down.length === 1, 'link-down of the closed client')
      await server.close()
      await until(() => dropped.downs.length === 1, 'link-down on the dropped client')
      // The reason travels with it: every adapter built on createClientConnection passes one.
      expect(dropped.downs[0] instanceof Error).toBe(true)
      expect(closedFirst.downs.length).toBe(0)
      expectSendRefused(expect, await rejectionOf(dropped.client.send(new Uint8Array([1]))))
      expect(dropped.downs.length).toBe(1)
    },
    connectionOnly,
  )

  register(
    'C9 disconnect() reports link-down before it returns, once; the server sees it; connect() works again',
    async ({ expect, expectCode, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address)
      await until(() => recorder.up.length === 1, 'link-up')
      expect(typeof c.client.disconnect).toBe('function')
      c.client.disconnect?.()
      expect(c.downs.length).toBe(1)
      c.client.disconnect?.()
      expect(c.downs.length).toBe(1)
      expectCode(await rejectionOf(c.client.send(new Uint8Array([1]))), 'HB_ERR_TRANSPORT_CLOSED')
      await until(() => recorder.down.length === 1, 'link-down on the server')
      await c.connect()
      await c.client.send(new Uint8Array([2]))
      await until(() => c.received.length === 1, 'an echo after reconnecting')
      expect(recorder.up.length).toBe(2)
      expect(c.downs.length).toBe(1)
    },
    connectionOnly,
  )

  register(
    'C10 disconnect() during a pending connect() aborts it: connect() rejects HB_ERR_TRANSPORT, no link-down',
    async ({ expect, expectCode, startServer, openClient, until, within }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address, { connect: false })
      const pending = rejectionOf(c.connect())
      c.client.disconnect?.()
      expectCode(await within(pending, 'connect() to settle'), 'HB_ERR_TRANSPORT')
      expect(c.downs.length).toBe(0)
      // An aborted attempt leaves nothing up, and the client connects again.
      await c.connect()
      await c.client.send(new Uint8Array([3]))
      await until(() => c.received.length === 1, 'an echo after the aborted attempt')
      await until(() => recorder.up.length - recorder.down.length === 1, 'exactly one link up on the server')
    },
    connectionOnly,
  )

  register(
    'C11 close() during a pending connect() makes it reject HB_ERR_TRANSPORT_CLOSED, with no link-down',
    async ({ expect, expectCode, startServer, openClient, until, within }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address, { connect: false })
      const pending = rejectionOf(c.connect())
      const closed = c.client.close()
      expectCode(await within(pending, 'connect() to settle'), 'HB_ERR_TRANSPORT_CLOSED')
      await within(closed, 'close() to resolve')
      expect(c.downs.length).toBe(0)
      await until(() => recorder.up.length === recorder.down.length, 'no link left up on the server')
    },
    connectionOnly,
  )

  register(
    'C12 the client hands the server frames to onFrame in arrival order',
    async ({ expect, startServer, openClient, until }) => {
      const { address, recorder } = await startServer()
      const c = await openClient(address)
      await until(() => recorder.up.length === 1, 'link-up')
      const link = recorder.up[0]
      for (let i = 0; i < 20; i++) link?.send(bytesOf(5 + i, i))
      await until(() => c.received.length === 20, '20 pushed frames')
      expect(c.received.every((bytes, i) => sameBytes(bytes, bytesOf(5 + i, i)))).toBe(true)
    },
    connectionOnly,
  )
}

/** After link-down a send rejects, with HB_ERR_TRANSPORT_CLOSED (not connected) or HB_ERR_TRANSPORT (a failed write). */
function expectSendRefused(expect: (value: unknown) => { toBe(v: unknown): void }, error: unknown): void {
  const code = HeartbeatError.isInstance(error) ? error.code : undefined
  expect(code === 'HB_ERR_TRANSPORT_CLOSED' || code === 'HB_ERR_TRANSPORT').toBe(true)
}
