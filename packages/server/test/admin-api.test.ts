/**
 * The admin API of a real createHbServer: UDP and the admin port on
 * 127.0.0.1 port 0, peers beating through createClientTransport, the
 * monitor on a fake clock (hello and bye need no time to pass).
 */
import { request } from 'node:http'
import { createBeater } from '@hb/core'
import type { StopFunction } from '@hb/core'
import { createFakeClock, recordMonitorEvents } from '@hb/core/testing'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createClientTransport, createHbServer } from '../src/index.js'
import type { HbServer, HbServerConfig } from '../src/index.js'
import { openSse } from './support/sse-reader.js'

const SECRET = 'admin-api-secret'
const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function start(config: Partial<HbServerConfig> = {}) {
  const clock = createFakeClock(0)
  const server: HbServer = createHbServer({ udp: 0, host: '127.0.0.1', adminPort: 0, secret: SECRET, ...config }, { clock, logger: pino({ level: 'silent' }) })
  cleanup.push(() => server.close())
  await server.start()
  const recorder = recordMonitorEvents(server.monitor, ['online', 'offline'])
  const udpUrl = `udp://127.0.0.1:${server.addresses().udp!.port}`
  const stops = new Map<string, StopFunction>()
  const beat = async (id: string) => {
    const stop = createBeater({ id, secret: SECRET, clock, transport: createClientTransport(udpUrl) }).start()
    stops.set(id, stop)
    cleanup.push(() => stop({ bye: false }))
    await recorder.until(() => recorder.events.includes(`online ${id}`), `online ${id}`)
  }
  const leave = async (id: string) => {
    await stops.get(id)!()
    await recorder.until(() => recorder.events.includes(`offline ${id} left`), `offline ${id} left`)
  }
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.adminUrl()}${path}`, { headers, signal: AbortSignal.timeout(5000) })
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }
  }
  return { server, clock, beat, leave, get }
}

/** A raw request, for what fetch will not send (a GET with a body). */
function rawRequest(url: string, method: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers: { 'content-length': body.length }, signal: AbortSignal.timeout(5000) }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

describe('admin API', () => {
  it('lists, filters, pages and finds peers', async () => {
    const { beat, leave, get } = await start()
    for (const id of ['peer-c', 'peer-a', 'peer-b']) await beat(id)
    await leave('peer-c')

    const all = (await get('/api/peers')).json()
    expect(all).toMatchObject({ total: 3, offset: 0, limit: 100 })
    expect((all.peers as Array<{ id: string; state: string }>).map((peer) => `${peer.id} ${peer.state}`)).toEqual(['peer-a alive', 'peer-b alive', 'peer-c left'])
    expect((await get('/api/peers?state=alive&limit=1&offset=1')).json()).toMatchObject({ total: 2, peers: [{ id: 'peer-b', transport: 'udp' }] })
    expect((await get('/api/peers?state=left,dead')).json()).toMatchObject({ total: 1, peers: [{ id: 'peer-c' }] })
    expect((await get('/api/peers?transport=tcp')).json()).toMatchObject({ total: 0, peers: [] })
    expect((await get('/api/peers?q=-b')).json()).toMatchObject({ total: 1 })

    const one = await get('/api/peers/peer-a')
    expect(one.status).toBe(200)
    expect(one.json()).toMatchObject({ id: 'peer-a', state: 'alive', transport: 'udp', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) })
    expect((await get('/api/peers/nobody')).json()).toEqual({ error: 'not-found', message: 'no such peer' })
  })

  it('answers bad requests with a status and a JSON error, never a stack', async () => {
    const { server, get } = await start()
    const bad = await get('/api/peers?state=sleeping')
    expect(bad.status).toBe(400)
    expect(bad.json()).toEqual({ error: 'bad-query', message: 'state must be a comma-separated list of alive, suspect, dead, left' })
    expect((await get('/api/peers?limit=5000')).status).toBe(400)
    expect((await get('/api/peers?offset=-1')).status).toBe(400)
    expect((await get('/api/peers/%E0%A4%A')).status).toBe(400)
    expect((await get('/nowhere')).status).toBe(404)
    const post = await fetch(`${server.adminUrl()}/api/peers`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(5000) })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    expect(await rawRequest(`${server.adminUrl()}/api/peers`, 'POST', Buffer.alloc(8193))).toBe(413)
    expect(await rawRequest(`${server.adminUrl()}/api/peers`, 'GET', Buffer.alloc(100))).toBe(200)
    for (const response of [bad, await get('/nowhere')]) expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/)
  })

  it('serves probes, metrics and the dashboard', async () => {
    const { beat, get } = await start()
    await beat('m-1')
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' })
    expect((await get('/readyz')).json()).toEqual({ status: 'ready' })
    const metrics = await get('/metrics')
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(metrics.text).toContain('hb_peers{state="alive",transport="udp"} 1')
    expect(metrics.text).toContain('hb_frames_total{transport="udp",result="accepted"} 1')
    expect(metrics.text).toContain('hb_webhook_deliveries_total{result="delivered"} 0')
    const page = await get('/')
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.text).toContain('<script type="module" src="/app.js"></script>')
    expect((await get('/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await get('/api/summary')).json()).toMatchObject({ current: { total: 1, byState: { alive: 1 }, byTransport: { udp: 1 } } })
  })

  it('requires the bearer token when one is set, except for probes and static files', async () => {
    const { get } = await start({ adminToken: 'tok-123' })
    const denied = await get('/api/peers')
    expect(denied.status).toBe(401)
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="hb"')
    expect(denied.json()).toEqual({ error: 'unauthorized', message: 'send the admin token as "Authorization: Bearer <token>"' })
    expect((await get('/api/peers', { authorization: 'Bearer tok-124' })).status).toBe(401)
    expect((await get('/api/peers', { authorization: 'Bearer tok-12' })).status).toBe(401)
    expect((await get('/metrics')).status).toBe(401)
    expect((await get('/api/events')).status).toBe(401)
    expect((await get('/api/peers', { authorization: 'Bearer tok-123' })).status).toBe(200)
    expect((await get('/metrics', { authorization: 'bearer tok-123' })).status).toBe(200)
    expect((await get('/healthz')).status).toBe(200)
    expect((await get('/')).status).toBe(200)
  })

  it('streams transitions as server-sent events, resumable with Last-Event-ID', async () => {
    const { server, beat, leave } = await start()
    const first = await openSse(`${server.adminUrl()}/api/events`)
    cleanup.push(() => first.close())
    expect(first.status).toBe(200)
    const ready = await first.next()
    expect(ready.event).toBe('ready')
    await beat('s-1')
    const online = await first.next()
    expect(online.event).toBe('transition')
    expect(JSON.parse(online.data)).toMatchObject({ type: 'online', peer: { id: 's-1', state: 'alive' } })
    expect(online.id).toMatch(/^[0-9a-z]+\.1$/)
    first.close()

    // Missed while disconnected: one more online and an offline.
    await beat('s-2')
    await leave('s-1')
    const resumed = await openSse(`${server.adminUrl()}/api/events`, { 'last-event-id': online.id! })
    cleanup.push(() => resumed.close())
    const missed = [await resumed.next(), await resumed.next()]
    expect(missed.map((message) => `${message.id!.split('.')[1]} ${JSON.parse(message.data).type} ${JSON.parse(message.data).peer.id}`)).toEqual([
      '2 online s-2',
      '3 offline s-1',
    ])
    expect(JSON.parse(missed[1]!.data)).toMatchObject({ reason: 'left', peer: { state: 'left' } })

    // An id from another run of the server cannot be resumed: reset.
    const stale = await openSse(`${server.adminUrl()}/api/events`, { 'last-event-id': 'zzz.2' })
    cleanup.push(() => stale.close())
    const reset = await stale.next()
    expect(reset.event).toBe('reset')
    expect(reset.id).toBe(online.id!.replace(/\.1$/, '.3'))
  })

  it('closes gracefully: not ready, ports released, idempotent', async () => {
    const { server, get } = await start()
    const url = server.adminUrl()
    const stream = await openSse(`${url}/api/events`)
    cleanup.push(() => stream.close())
    await stream.next()
    expect((await get('/readyz')).status).toBe(200)
    await Promise.all([server.close(), server.close()])
    await expect(stream.next()).rejects.toThrow('the stream ended')
    await expect(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow()
    expect(server.addresses().udp).toBeNull()
  })
})
