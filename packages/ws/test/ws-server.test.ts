import { once } from 'node:events'
import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { HeartbeatError } from '@hb/core'
import type { InboundFrame, Link, ServerTransportHandler, TransportRejection } from '@hb/core/adapter'
import type { ServerTransport } from '@hb/core'
import { WebSocket } from 'ws'
import { createWsServer } from '../src/index.js'
import type { WsServerOptions } from '../src/index.js'
import { createWaiter, rawWs, WAIT_MS } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const codeOf = (error: unknown): string | undefined => (HeartbeatError.isInstance(error) ? error.code : undefined)
const MAX = 256

/** A handler that echoes every frame and records what happens. */
function recorder() {
  const waiter = createWaiter()
  const frames: InboundFrame[] = []
  const rejections: TransportRejection[] = []
  const up: Link[] = []
  const down: Link[] = []
  const handler: ServerTransportHandler = {
    onFrame(frame) {
      frames.push({ ...frame, bytes: frame.bytes.slice() })
      frame.reply(frame.bytes.slice())
      waiter.notify()
      return { accepted: true }
    },
    onLinkUp: (link) => void (up.push(link), waiter.notify()),
    onLinkDown: (link) => void (down.push(link), waiter.notify()),
    onRejected: (rejection) => void (rejections.push(rejection), waiter.notify()),
  }
  return { handler, frames, rejections, up, down, until: waiter.until }
}

async function started(options: WsServerOptions = { host: '127.0.0.1', port: 0 }) {
  const server: ServerTransport = createWsServer(options)
  const r = recorder()
  cleanup.push(() => server.close())
  await server.start(r.handler, { maxFrameBytes: MAX })
  const address = server.address()
  if (address?.url === undefined) throw new Error('no url')
  return { server, address, url: address.url, ...r }
}

async function raw(url: string) {
  const client = await rawWs(url)
  cleanup.push(() => client.socket.terminate())
  return client
}

describe('createWsServer', () => {
  it('rejects bad options at once with HB_ERR_CONFIG', () => {
    const bad: unknown[] = [
      { port: -1 },
      { port: 1.5 },
      { port: 0, path: 'hb' },
      { port: 0, maxBufferedBytes: 0 },
      { server: createServer(), path: undefined },
      { server: createServer(), path: 'hb' },
    ]
    for (const options of bad) {
      const error = (() => {
        try {
          createWsServer(options as WsServerOptions)
        } catch (e) {
          return e
        }
      })()
      expect(codeOf(error)).toBe('HB_ERR_CONFIG')
    }
  })

  it('reports a ws:// url with its path once listening', async () => {
    const s = await started({ host: '127.0.0.1', port: 0, path: '/hb' })
    expect(s.address).toMatchObject({ host: '127.0.0.1', family: 'IPv4' })
    expect(s.url).toBe(`ws://127.0.0.1:${s.address.port}/hb`)
  })

  it('listens on every interface when no host is given', async () => {
    const s = await started({ port: 0 })
    expect(['::', '0.0.0.0']).toContain(s.address.host)
  })

  it('answers plain HTTP with 426 Upgrade Required', async () => {
    const s = await started()
    const response = await fetch(`http://127.0.0.1:${s.address.port}/`, { signal: AbortSignal.timeout(WAIT_MS) })
    expect(response.status).toBe(426)
    await response.text()
  })

  it('with a path, accepts upgrades there (query ignored) and refuses them elsewhere with 400', async () => {
    const s = await started({ host: '127.0.0.1', port: 0, path: '/hb' })
    await raw(`ws://127.0.0.1:${s.address.port}/hb?token=1`)
    const elsewhere = new WebSocket(`ws://127.0.0.1:${s.address.port}/other`)
    const [error] = (await once(elsewhere, 'error', { signal: AbortSignal.timeout(WAIT_MS) })) as [Error]
    expect(error.message).toContain('400')
    expect(s.up).toHaveLength(1)
  })

  it("delivers binary and text messages as bytes with the link and the peer's address, and answers each in kind", async () => {
    const s = await started()
    const client = await raw(s.url)
    client.socket.send(Uint8Array.of(0x68, 0x62, 1))
    client.socket.send('{"a":1}')
    await client.until(() => client.messages.length === 2, 'two replies')
    expect(s.frames.map((f) => Buffer.from(f.bytes).toString())).toEqual(['hb\u0001', '{"a":1}'])
    expect(s.frames[0]?.link).toBe(s.up[0])
    expect(s.frames[0]?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(s.frames[0]?.remoteAddress).toBe(s.up[0]?.remoteAddress)
    expect(client.messages.map((m) => m.binary)).toEqual([true, false])
  })

  it('refuses a message over maxFrameBytes with close code 1009', async () => {
    const s = await started()
    const client = await raw(s.url)
    client.socket.send(new Uint8Array(MAX + 1))
    await client.untilClosed('the 1009 close')
    expect(client.closeCode()).toBe(1009)
  })

  it('reports a WebSocket protocol violation (invalid UTF-8 text) as malformed', async () => {
    const s = await started()
    const client = await raw(s.url)
    client.socket.send(Buffer.from([0xff, 0xfe]), { binary: false })
    await client.untilClosed('the 1007 close')
    expect(client.closeCode()).toBe(1007)
    await s.until(() => s.rejections.length === 1, 'rejection')
    expect(s.rejections[0]).toMatchObject({ reason: 'malformed' })
  })

  it('link.ping() sends a WebSocket ping; link.close() terminates, without a closing handshake (1006)', async () => {
    const s = await started()
    const client = await raw(s.url)
    await s.until(() => s.up.length === 1, 'link-up')
    const link = s.up[0] as Link
    link.ping?.()
    await client.until(() => client.pings() === 1, 'a ping')
    link.close()
    await client.untilClosed('termination')
    expect(client.closeCode()).toBe(1006)
  })

  it('close() frees the port despite idle HTTP keep-alive connections', async () => {
    const s = await started()
    const client = await raw(s.url)
    const response = await fetch(`http://127.0.0.1:${s.address.port}/`, { signal: AbortSignal.timeout(WAIT_MS) })
    await response.text()
    await s.server.close()
    await client.untilClosed('the client seeing the server close')
    const again = await started({ host: '127.0.0.1', port: s.address.port })
    expect(again.address.port).toBe(s.address.port)
  })
})
