import { once } from 'node:events'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { createWsServer } from '../src/index.js'
import { createTestbed, createWaiter, rawWs, WAIT_MS } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

/** The user's own server: plain HTTP, plus its own WebSocket endpoint at /other. */
async function userServer(listen = true) {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' })
    response.end('plain http')
  })
  const other = new WebSocketServer({ noServer: true })
  other.on('connection', (ws) => ws.send('from /other'))
  server.on('upgrade', (request, socket, head) => {
    if (request.url === '/other') other.handleUpgrade(request, socket, head, (ws) => other.emit('connection', ws, request))
  })
  cleanup.push(async () => {
    for (const client of other.clients) client.terminate()
    other.close()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  if (listen) {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening', { signal: AbortSignal.timeout(WAIT_MS) })
  }
  return server
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port

async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(WAIT_MS) })
  return `${response.status} ${await response.text()}`
}

async function otherEndpointWorks(port: number): Promise<boolean> {
  const client = await rawWs(`ws://127.0.0.1:${port}/other`)
  try {
    await client.until(() => client.messages.length === 1, 'the /other greeting')
    return client.messages[0]?.data.toString() === 'from /other'
  } finally {
    client.socket.terminate()
  }
}

describe('createWsServer attached to an existing http.Server', () => {
  it('serves beaters at its path, leaving plain HTTP and other upgrade paths to the user', async () => {
    const http = await userServer()
    const bed = createTestbed()
    cleanup.push(() => bed.close())
    const m = await bed.startMonitor(createWsServer({ server: http, path: '/hb' }))
    expect(m.url).toBe(`ws://127.0.0.1:${portOf(http)}/hb`)

    bed.beat('attached', m.url)
    await m.until(() => m.events.includes('online attached'), 'online')
    await bed.advance(2000)
    expect(m.monitor.get('attached')?.state).toBe('alive')

    expect(await get(portOf(http))).toBe('200 plain http')
    expect(await otherEndpointWorks(portOf(http))).toBe(true)
  })

  it('close() drops its own connections and upgrade listener only; the user server keeps running', async () => {
    const http = await userServer()
    const bed = createTestbed()
    cleanup.push(() => bed.close())
    const transport = createWsServer({ server: http, path: '/hb' })
    const m = await bed.startMonitor(transport)
    expect(http.listenerCount('upgrade')).toBe(2)
    const hb = await rawWs(`ws://127.0.0.1:${portOf(http)}/hb`)
    cleanup.push(() => hb.socket.terminate())

    await m.monitor.close()
    await hb.untilClosed('the hb connection terminated')
    expect(transport.address()).toBeNull()
    expect(http.listening).toBe(true)
    expect(http.listenerCount('upgrade')).toBe(1)
    expect(await get(portOf(http))).toBe('200 plain http')
    expect(await otherEndpointWorks(portOf(http))).toBe(true)
  })

  it('starts before the user server listens; address() follows the server', async () => {
    const http = await userServer(false)
    const transport = createWsServer({ server: http, path: '/hb' })
    const waiter = createWaiter()
    const ups: number[] = []
    await transport.start(
      { onFrame: () => ({ accepted: true }), onLinkUp: (l) => void (ups.push(l.id), waiter.notify()), onLinkDown: () => undefined, onRejected: () => undefined },
      { maxFrameBytes: 256 },
    )
    cleanup.push(() => transport.close())
    expect(transport.address()).toBeNull()
    http.listen(0, '127.0.0.1')
    await once(http, 'listening', { signal: AbortSignal.timeout(WAIT_MS) })
    expect(transport.address()?.port).toBe(portOf(http))
    const client = await rawWs(`ws://127.0.0.1:${portOf(http)}/hb`)
    cleanup.push(() => client.socket.terminate())
    await waiter.until(() => ups.length === 1, 'link-up')
  })
})
