import { afterEach, describe, expect, it } from 'vitest'
import { Agent, request as httpRequest } from 'node:http'
import type { ServerTransportHandler } from '@hb/core/adapter'
import { createHttpServer } from '../src/index.js'
import { createCleanup } from './helpers.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

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
  // Lifecycle, ports, sizes and many clients: the conformance suite (http-conformance.test.ts).

  it('gives the URL for createHttpClient, path included', async () => {
    const address = (await started()).address()!
    expect(address).toMatchObject({ host: '127.0.0.1', family: 'IPv4', url: `http://127.0.0.1:${address.port}/hb` })
  })

  it('listens on every interface when no host is given', async () => {
    const server = await started({ port: 0 })
    const { host, port, url } = server.address()!
    // Node's default: the IPv6 wildcard where the OS has IPv6 (it takes IPv4 too), else the IPv4 one.
    expect(['::', '0.0.0.0']).toContain(host)
    expect(url).toBe(`http://${host === '::' ? '[::1]' : '127.0.0.1'}:${port}/`)
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x', headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(200)
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
    const json = { 'content-type': 'application/json' }
    const silent = await fetch(url, { method: 'POST', body: 'x', headers: json })
    expect([silent.status, await silent.text()]).toEqual([204, ''])
    mode = 'throw'
    const failed = await fetch(url, { method: 'POST', body: 'x', headers: json })
    expect([failed.status, await failed.json()]).toEqual([500, { error: 'internal' }])
  })

  it('refuses bad options', () => {
    for (const options of [{}, { port: -1 }, { port: 0, host: '' }, { port: 0, path: 'hb' }, { port: 0, onError: 1 }, { port: 0, requestTimeoutMs: 0 }, { port: 0, requestTimeoutMs: 1.5 }]) {
      expect(() => createHttpServer(options as never)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
  })
})
