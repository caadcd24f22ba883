/** What is TCP's own in the server; the lifecycle every server shares is checked by the conformance suite. */
import { afterEach, describe, expect, it } from 'vitest'
import { HeartbeatError } from '@hb/core'
import type { Link, ServerTransportHandler } from '@hb/core/adapter'
import type { ServerTransport } from '@hb/core'
import { createTcpServer } from '../src/index.js'
import { createWaiter, rawClient } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const codeOf = (error: unknown): string | undefined => (HeartbeatError.isInstance(error) ? error.code : undefined)

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
      { port: 0, host: '' },
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

  it('listens on every interface when no host is given', async () => {
    const { address } = await started(createTcpServer({ port: 0 }))
    expect(['::', '0.0.0.0']).toContain(address.host)
  })

  it("gives each link the peer's host:port", async () => {
    const s = await started()
    const a = await rawClient(s.address.port)
    const b = await rawClient(s.address.port)
    cleanup.push(() => void a.socket.destroy(), () => void b.socket.destroy())
    await s.until(() => s.up.length === 2, 'two links')
    expect(s.up.map((l) => l.remoteAddress).sort()).toEqual(
      [a.localPort, b.localPort].map((port) => `127.0.0.1:${port}`).sort(),
    )
  })

  it('ends a link at once when its peer half-closes (and reports it down once), as when it resets', async () => {
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
})

