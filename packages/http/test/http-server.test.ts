import { afterEach, describe, expect, it } from 'vitest'
import { Agent, request as httpRequest } from 'node:http'
import type { ServerTransportHandler } from '@hb/core/adapter'
import { createHttpServer } from '../src/index.js'
import { createCleanup } from './helpers.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

const errorOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error)

function handler(onFrame: ServerTransportHandler['onFrame']): ServerTransportHandler {
  return { onFrame, onLinkUp() {}, onLinkDown() {}, onRejected() {} }
}

const echo = handler((frame) => (frame.reply(frame.bytes.slice()), { accepted: true }))

async function started(options: Parameters<typeof createHttpServer>[0] = { host: '127.0.0.1', port: 0, path: '/hb' }, h = echo) {
  const server = createHttpServer(options)
  cleanup.add(() => server.close())
  await server.start(h, { maxFrameBytes: 512 })
  return server
}

describe('http server transport', () => {
  it('listens on port 0 and reports its port, family and URL', async () => {
    const server = createHttpServer({ host: '127.0.0.1', port: 0, path: '/hb' })
    expect(server.address()).toBeNull()
    expect([server.name, server.kind]).toEqual(['http', 'request'])
    await server.start(echo, { maxFrameBytes: 512 })
    cleanup.add(() => server.close())
    const address = server.address()!
    expect(address).toMatchObject({ host: '127.0.0.1', family: 'IPv4', url: `http://127.0.0.1:${address.port}/hb` })
  })

  it('close() ends idle keep-alive connections and frees the port', async () => {
    const server = await started()
    const { port } = server.address()!
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    cleanup.add(() => agent.destroy())
    // Wrapped in an object: resolving with a bare promise would wait for the socket to close.
    const { socketClosed } = await new Promise<{ socketClosed: Promise<void> }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/hb', method: 'POST', agent }, (res) => {
        const socketClosed = new Promise<void>((closed) => req.socket?.once('close', () => closed()))
        res.resume()
        res.on('end', () => resolve({ socketClosed }))
      })
      req.on('error', reject)
      req.end('hello')
    })
    // The connection is idle in the agent's pool now (keep-alive); close() must end it
    // rather than wait for the keep-alive timeout, and the client sees it close.
    expect(agent.freeSockets).not.toEqual({})
    await server.close()
    await socketClosed
    expect(server.address()).toBeNull()
    const again = await started({ host: '127.0.0.1', port })
    expect(again.address()!.port).toBe(port)
  })

  it('answers 204 for a frame accepted without a reply, and 500 if the core throws', async () => {
    let mode: 'silent' | 'throw' = 'silent'
    const server = await started(
      { host: '127.0.0.1', port: 0 },
      handler(() => {
        if (mode === 'throw') throw new Error('core bug')
        return { accepted: true }
      }),
    )
    const url = server.address()!.url!
    const silent = await fetch(url, { method: 'POST', body: 'x' })
    expect([silent.status, await silent.text()]).toEqual([204, ''])
    mode = 'throw'
    const failed = await fetch(url, { method: 'POST', body: 'x' })
    expect([failed.status, await failed.json()]).toEqual([500, { error: 'internal' }])
  })

  it('limits bodies to the maxFrameBytes the core gives it', async () => {
    const server = await started()
    const response = await fetch(server.address()!.url!, { method: 'POST', body: new Uint8Array(513) })
    expect(response.status).toBe(413)
  })

  it('rejects a second start, a start after close, and a port in use', async () => {
    const server = await started()
    expect(await errorOf(server.start(echo, { maxFrameBytes: 512 }))).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
    const rival = createHttpServer({ host: '127.0.0.1', port: server.address()!.port })
    cleanup.add(() => rival.close())
    expect(await errorOf(rival.start(echo, { maxFrameBytes: 512 }))).toMatchObject({ code: 'HB_ERR_TRANSPORT' })
    expect(rival.address()).toBeNull()
    await server.close()
    expect(await errorOf(server.start(echo, { maxFrameBytes: 512 }))).toMatchObject({ code: 'HB_ERR_TRANSPORT_CLOSED' })
  })

  it('close() while starting rejects the start and releases the port', async () => {
    const server = createHttpServer({ host: '127.0.0.1', port: 0 })
    const starting = errorOf(server.start(echo, { maxFrameBytes: 512 }))
    await Promise.all([server.close(), server.close()])
    expect(await starting).toMatchObject({ code: 'HB_ERR_TRANSPORT_CLOSED' })
    expect(server.address()).toBeNull()
  })

  it('refuses bad options', () => {
    for (const options of [{}, { port: -1 }, { port: 0, host: '' }, { port: 0, path: 'hb' }, { port: 0, onError: 1 }]) {
      expect(() => createHttpServer(options as never)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
  })
})
