import { afterEach, describe, expect, it } from 'vitest'
import { createHmac } from 'node:crypto'
import { createMonitor, systemClock } from '@hb/core'
import type { Clock, RejectedInfo } from '@hb/core'
import { createCodeskyblueHandler } from '../src/index.js'
import { createCleanup, createWaiter, listen } from './helpers.js'

const SECRET = 'my-secret'
const cleanup = createCleanup()
afterEach(() => cleanup.run())

/** The protocol of github.com/codeskyblue/heartbeat v0.1.0, written from its spec: nothing from src/. */
const hexMac = (message: string, secret = SECRET): string => createHmac('sha256', secret).update(message).digest('hex')

/** One Go-client request; `form` is what `http.PostForm` would send. */
async function post(url: string, form: Record<string, string>): Promise<{ status: number; body: string; contentType: string | null }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(form), signal: AbortSignal.timeout(5000) })
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') }
}

/**
 * A client that behaves like the Go one: handshake, a beat at once, then beats
 * with the timestamp of the previous response, handshaking again after a failed
 * beat. It checks every server answer's MAC, as the Go client does.
 */
function goClient(url: string, identifier: string, secret = SECRET) {
  let timestamp = ''
  const sent: Record<string, string>[] = []
  async function request(ts: string) {
    const form = { timestamp: ts, identifier, messageMAC: hexMac(`${ts}:${identifier}`, secret) }
    sent.push(form)
    const answer = await post(url, form)
    if (answer.status === 200) {
      const [seconds, mac] = answer.body.split(' ')
      if (seconds === undefined || mac !== hexMac(`${seconds}:timestamp`, secret)) throw new Error('wrong timestamp hmac')
      timestamp = seconds
    }
    return answer
  }
  return {
    sent,
    handshake: () => request(''),
    async beat() {
      const answer = await request(timestamp)
      if (answer.status !== 200) await request('') // on a beat error the Go client handshakes again
      return answer
    },
  }
}

/** A clock whose calendar the test can move, to see timestamps age without waiting for seconds to pass. */
function movableClock(): Clock & { jump(ms: number): void } {
  let offset = 0
  return { ...systemClock, wallNow: () => systemClock.wallNow() + offset, jump: (ms) => void (offset += ms) }
}

async function setup(options: { monitorSecret?: string } = {}) {
  const clock = movableClock()
  const monitor = createMonitor({ secret: options.monitorSecret ?? SECRET, timeoutMs: 300, tickMs: 10, clock })
  cleanup.add(() => monitor.close())
  const waiter = createWaiter()
  const events: string[] = []
  const rejected: RejectedInfo[] = []
  monitor.on('online', (peer) => (events.push(`online ${peer.id} ${peer.transport}`), waiter.notify()))
  monitor.on('offline', (peer, reason) => (events.push(`offline ${peer.id} ${reason}`), waiter.notify()))
  monitor.on('rejected', (info) => (rejected.push(info), waiter.notify()))
  const { url, close } = await listen(createCodeskyblueHandler(monitor, { secret: SECRET, timeoutMs: 5000, clock }))
  cleanup.add(close)
  return { clock, monitor, waiter, events, rejected, url: `${url}/heartbeat` }
}

describe('codeskyblue/heartbeat compatibility over HTTP', () => {
  it('handshake → beat → beats: online at the first beat, offline once the client stops', async () => {
    const t = await setup()
    const client = goClient(t.url, 'client-1')
    const hello = await client.handshake()
    expect(hello.status).toBe(200)
    expect(hello.contentType).toBe('text/plain; charset=utf-8')
    expect(hello.body).toMatch(/^\d+ [0-9a-f]{64}$/)
    expect(t.monitor.size).toBe(0) // a handshake is not a beat
    expect((await client.beat()).status).toBe(200)
    expect(t.events).toEqual(['online client-1 codeskyblue']) // by the time the first beat is answered
    for (let i = 0; i < 4; i++) expect((await client.beat()).status).toBe(200)
    expect(t.events).toEqual(['online client-1 codeskyblue'])
    expect(t.monitor.get('client-1')?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    await t.waiter.until(() => t.events.length === 2, 'offline by timeout')
    expect(t.events).toEqual(['online client-1 codeskyblue', 'offline client-1 timeout'])
    // It comes back like any peer.
    expect((await client.beat()).status).toBe(200)
    await t.waiter.until(() => t.events.length === 3, 'online again')
    expect(t.events[2]).toBe('online client-1 codeskyblue')
  })

  it('rejects a captured beat replayed once a newer one was accepted, and the client recovers', async () => {
    const t = await setup()
    const client = goClient(t.url, 'client-1')
    await client.handshake()
    await client.beat()
    const captured = client.sent.at(-1)!
    t.clock.jump(2000) // two seconds later: the next response carries a newer timestamp
    await client.beat()
    expect((await client.beat()).status).toBe(200) // accepted with the newer timestamp
    const replay = await post(t.url, captured)
    expect(replay).toEqual({ status: 400, body: 'Invalid timestamp, advanced or outdated\n', contentType: 'text/plain; charset=utf-8' })
    await t.waiter.until(() => t.rejected.some((r) => r.reason === 'replay'), 'a replay rejection')
    expect(t.rejected.find((r) => r.reason === 'replay')).toMatchObject({ transport: 'codeskyblue' })
    expect((await client.beat()).status).toBe(200)
  })

  it('answers errors with the Go bodies, in the Go order, and reports each to the monitor', async () => {
    const t = await setup()
    const now = String(Math.floor(t.clock.wallNow() / 1000))
    const stale = String(Number(now) - 60)
    const cases: [Record<string, string>, string, string][] = [
      [{}, 'identifier should not be empty\n', 'malformed'],
      [{ identifier: '', timestamp: 'x', messageMAC: 'y' }, 'identifier should not be empty\n', 'malformed'],
      [{ identifier: 'p', timestamp: stale, messageMAC: hexMac(`${stale}:p`, 'wrong') }, 'messageMAC wrong\n', 'bad-signature'],
      [{ identifier: 'p', timestamp: stale, messageMAC: hexMac(`${stale}:p`) }, 'Invalid timestamp, advanced or outdated\n', 'stale'],
      [{ identifier: 'a:b', timestamp: '', messageMAC: hexMac(':a:b') }, 'identifier not allowed\n', 'malformed'],
    ]
    for (const [form, body, reason] of cases) {
      expect(await post(t.url, form)).toEqual({ status: 400, body, contentType: 'text/plain; charset=utf-8' })
      expect(t.rejected.at(-1)).toMatchObject({ reason, transport: 'codeskyblue' })
    }
    expect(t.monitor.size).toBe(0)
  })

  it('refuses a server answer posted back as a beat', async () => {
    const t = await setup()
    const [seconds, mac] = (await goClient(t.url, 'client-1').handshake()).body.split(' ') as [string, string]
    const posted = await post(t.url, { identifier: 'timestamp', timestamp: seconds, messageMAC: mac })
    expect(posted.status).toBe(400)
    expect(t.monitor.size).toBe(0)
    expect(t.events).toEqual([])
  })

  it('reads the fields from the query string too (any method), the body winning as in Go', async () => {
    const t = await setup()
    const mac = hexMac(':q-client')
    const get = await fetch(`${t.url}?identifier=q-client&timestamp=&messageMAC=${mac}`)
    expect(get.status).toBe(200)
    const ts = (await get.text()).split(' ')[0]!
    const mixed = await fetch(`${t.url}?identifier=someone-else&timestamp=${ts}`, {
      method: 'POST',
      body: new URLSearchParams({ identifier: 'q-client', messageMAC: hexMac(`${ts}:q-client`) }),
    })
    expect(mixed.status).toBe(200)
    await t.waiter.until(() => t.events.length === 1, 'online')
    expect(t.events).toEqual(['online q-client codeskyblue'])
  })

  it('answers 500 when the monitor does not have the secret (a server misconfiguration)', async () => {
    const t = await setup({ monitorSecret: 'another-secret' })
    const client = goClient(t.url, 'client-1')
    expect((await client.handshake()).status).toBe(200) // the handshake never reaches the monitor
    const beat = await client.beat()
    expect(beat).toEqual({ status: 500, body: 'bad-signature\n', contentType: 'text/plain; charset=utf-8' })
    expect(t.monitor.size).toBe(0)
    expect(t.rejected.at(-1)).toMatchObject({ reason: 'bad-signature', transport: 'codeskyblue' })
  })

  it('refuses a body over maxBodyBytes with 413 and keeps no state', async () => {
    const t = await setup()
    const answer = await post(t.url, { identifier: 'x'.repeat(5000), timestamp: '', messageMAC: '' })
    expect(answer.status).toBe(413)
    await t.waiter.until(() => t.rejected.length === 1, 'a too-large rejection')
    expect(t.rejected[0]).toMatchObject({ reason: 'too-large', transport: 'codeskyblue' })
  })
})
