import { afterEach, describe, expect, it } from 'vitest'
import { createHmac } from 'node:crypto'
import { createMonitor } from '@hb/core'
import type { MonitorOptions } from '@hb/core'
import { createFakeClock, recordMonitorEvents } from '@hb/core/testing'
import { createCodeskyblueHandler } from '../../src/index.js'
import type { CodeskyblueHandlerOptions } from '../../src/index.js'
import { createCleanup, listen } from '../helpers.js'

const SECRET = 'my-secret'
const WALL_START_MS = 1_700_000_000_000 // a whole second
const TICK_MS = 10
const cleanup = createCleanup()
afterEach(() => cleanup.run())

/** The protocol of github.com/codeskyblue/heartbeat v0.1.0, written from its spec: nothing from src/. */
const hexMac = (message: string, secret = SECRET): string => createHmac('sha256', secret).update(message).digest('hex')

type Form = Record<string, string>

/** One Go-client request; `form` is what `http.PostForm` would send. */
async function post(url: string, form: Form): Promise<{ status: number; body: string; contentType: string | null }> {
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
  const sent: Form[] = []
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

/** A monitor on a fake clock, and the legacy endpoint on a real loopback server, sharing that clock. */
async function setup(options: { timeoutMs?: number; keys?: Partial<MonitorOptions>; handler?: CodeskyblueHandlerOptions } = {}) {
  const timeoutMs = options.timeoutMs ?? 5000
  const clock = createFakeClock(0, { wallStartMs: WALL_START_MS })
  // The secret, the clock and the timeout are the monitor's; the endpoint takes them from it.
  const monitor = createMonitor({ ...(options.keys ?? { secret: SECRET }), timeoutMs, tickMs: TICK_MS, clock })
  cleanup.add(() => monitor.close())
  const recorder = recordMonitorEvents(monitor)
  const handler = createCodeskyblueHandler(monitor, options.handler)
  const { url, close } = await listen(handler)
  cleanup.add(close)
  return { clock, monitor, recorder, url: `${url}/heartbeat` }
}

describe('codeskyblue/heartbeat compatibility over HTTP (fake clock, real sockets)', () => {
  it('handshake → beat → beats: online at the first beat, offline exactly timeoutMs after the last', async () => {
    const t = await setup()
    const client = goClient(t.url, 'client-1')
    const hello = await client.handshake()
    expect(hello.status).toBe(200)
    expect(hello.contentType).toBe('text/plain; charset=utf-8')
    expect(hello.body).toMatch(/^\d+ [0-9a-f]{64}$/)
    expect(t.monitor.size).toBe(0) // a handshake is not a beat
    expect((await client.beat()).status).toBe(200)
    expect(t.recorder.events).toEqual(['online client-1']) // by the time the first beat is answered
    expect(t.monitor.get('client-1')?.transport).toBe('codeskyblue')
    for (let i = 0; i < 4; i++) {
      t.clock.advance(1000)
      expect((await client.beat()).status).toBe(200)
    }
    expect(t.recorder.events).toEqual(['online client-1'])
    expect(t.monitor.get('client-1')?.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    t.clock.advance(5000 - 1)
    expect(t.monitor.get('client-1')?.state).toBe('alive')
    t.clock.advance(1 + TICK_MS)
    await t.recorder.until(() => t.recorder.events.length === 2, 'offline by timeout')
    expect(t.recorder.events).toEqual(['online client-1', 'offline client-1 timeout'])
    // It comes back like any peer: its next beat carries newer seconds than any accepted.
    expect((await client.beat()).status).toBe(200)
    expect(t.recorder.events).toEqual([
      'online client-1',
      'offline client-1 timeout',
      'online client-1',
    ])
  })

  it('a beat resent right after offline is refused and the peer stays offline (issue 15: 200 ms beats, 3 s timeout)', async () => {
    const t = await setup({ timeoutMs: 3000 })
    const client = goClient(t.url, 'go-1')
    await client.handshake()
    // Beats every 200 ms for 2.4 s: the last one carries the seconds of the answer before it.
    for (let i = 0; i < 12; i++) {
      t.clock.advance(200)
      expect((await client.beat()).status).toBe(200)
    }
    const last = client.sent.at(-1)!
    t.clock.advance(3000 + TICK_MS)
    await t.recorder.until(() => t.recorder.events.includes('offline go-1 timeout'), 'offline')
    // Exactly timeoutMs (3 s) old by the clock the window uses: Go's rule alone would take it.
    expect(Math.floor(t.clock.wallNow() / 1000) - Number(last.timestamp)).toBe(3)
    const replay = await post(t.url, last)
    expect(replay).toEqual({ status: 400, body: 'Invalid timestamp, advanced or outdated\n', contentType: 'text/plain; charset=utf-8' })
    await t.recorder.until(() => t.recorder.events.includes('rejected replay'), 'the replay reported')
    expect(t.monitor.get('go-1')?.state).toBe('dead')
    expect(t.recorder.events.filter((e) => e === 'online go-1')).toHaveLength(1)
    // The MAC verified, so the rejection names the peer.
    expect(t.recorder.rejected.at(-1)).toMatchObject({ reason: 'replay', transport: 'codeskyblue', peerId: 'go-1' })
  })

  it('rejects a captured beat replayed once a newer one was accepted, and the client recovers', async () => {
    const t = await setup()
    const client = goClient(t.url, 'client-1')
    await client.handshake()
    await client.beat()
    const captured = client.sent.at(-1)!
    t.clock.advance(2000) // two seconds later: the next response carries a newer timestamp
    await client.beat()
    expect((await client.beat()).status).toBe(200) // accepted with the newer timestamp
    const replay = await post(t.url, captured)
    expect(replay).toEqual({ status: 400, body: 'Invalid timestamp, advanced or outdated\n', contentType: 'text/plain; charset=utf-8' })
    await t.recorder.until(() => t.recorder.rejected.some((r) => r.reason === 'replay'), 'a replay rejection')
    expect(t.recorder.rejected.find((r) => r.reason === 'replay')).toMatchObject({ transport: 'codeskyblue' })
    expect((await client.beat()).status).toBe(200)
  })

  it('answers errors with the Go bodies, in the Go order, and reports each to the monitor', async () => {
    const t = await setup()
    const stale = String(WALL_START_MS / 1000 - 60)
    const cases: [Form, string, string, string | undefined][] = [
      [{}, 'identifier should not be empty\n', 'malformed', undefined],
      [{ identifier: '', timestamp: 'x', messageMAC: 'y' }, 'identifier should not be empty\n', 'malformed', undefined],
      [{ identifier: 'p', timestamp: stale, messageMAC: hexMac(`${stale}:p`, 'wrong') }, 'messageMAC wrong\n', 'bad-signature', undefined],
      [{ identifier: 'p', timestamp: stale, messageMAC: hexMac(`${stale}:p`) }, 'Invalid timestamp, advanced or outdated\n', 'stale', 'p'],
      [{ identifier: 'a:b', timestamp: '', messageMAC: hexMac(':a:b') }, 'identifier not allowed\n', 'malformed', undefined],
    ]
    for (const [form, body, reason, peerId] of cases) {
      expect(await post(t.url, form)).toEqual({ status: 400, body, contentType: 'text/plain; charset=utf-8' })
      expect(t.recorder.rejected.at(-1)).toMatchObject({ reason, transport: 'codeskyblue' })
      // Only an authenticated identifier is named.
      expect(t.recorder.rejected.at(-1)?.peerId).toBe(peerId)
    }
    expect(t.monitor.size).toBe(0)
  })

  it('refuses a server answer posted back as a beat', async () => {
    const t = await setup()
    const [seconds, mac] = (await goClient(t.url, 'client-1').handshake()).body.split(' ') as [string, string]
    const posted = await post(t.url, { identifier: 'timestamp', timestamp: seconds, messageMAC: mac })
    expect(posted.status).toBe(400)
    expect(t.monitor.size).toBe(0)
    expect(t.recorder.events).toEqual(['rejected malformed'])
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
    expect(t.recorder.events).toEqual(['online q-client'])
  })

  it('verifies with the monitor\'s keys: keyId names the legacy key of a ring', async () => {
    const t = await setup({ keys: { keys: { current: 'native', keys: { native: 'native-secret', legacy: SECRET } } }, handler: { keyId: 'legacy' } })
    const client = goClient(t.url, 'client-1')
    expect((await client.handshake()).status).toBe(200)
    expect((await client.beat()).status).toBe(200)
    expect(t.recorder.events).toEqual(['online client-1'])
    // Without keyId the endpoint asks for the shared secret (''), which a ring does not have.
    const other = await setup({ keys: { keys: { current: 'native', keys: { native: 'native-secret', legacy: SECRET } } } })
    expect(await goClient(other.url, 'client-1').handshake()).toEqual({ status: 400, body: 'messageMAC wrong\n', contentType: 'text/plain; charset=utf-8' })
  })

  it('a per-peer key function gives each Go client its own secret', async () => {
    const secrets: Record<string, string> = { 'client-a': 'secret-a', 'client-b': 'secret-b' }
    const t = await setup({ keys: { key: (peerId) => secrets[peerId] } })
    const a = goClient(t.url, 'client-a', 'secret-a')
    await a.handshake()
    expect((await a.beat()).status).toBe(200)
    // client-b's secret does not sign for client-a.
    expect((await goClient(t.url, 'client-a', 'secret-b').handshake()).status).toBe(400)
    expect(t.recorder.events).toEqual(['online client-a', 'rejected bad-signature'])
  })

  it('a new peer past maxPeers is refused with 429, and no one else is affected', async () => {
    const clock = createFakeClock(0, { wallStartMs: WALL_START_MS })
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 5000, maxPeers: 1, clock })
    cleanup.add(() => monitor.close())
    const { url, close } = await listen(createCodeskyblueHandler(monitor))
    cleanup.add(close)
    const first = goClient(url, 'first')
    await first.handshake()
    expect((await first.beat()).status).toBe(200)
    const second = goClient(url, 'second')
    await second.handshake()
    const refused = await post(url, { identifier: 'second', timestamp: String(WALL_START_MS / 1000), messageMAC: hexMac(`${WALL_START_MS / 1000}:second`) })
    expect(refused).toEqual({ status: 429, body: 'peer-limit\n', contentType: 'text/plain; charset=utf-8' })
    expect((await first.beat()).status).toBe(200)
  })

  it('refuses a body over maxBodyBytes with 413 and keeps no state', async () => {
    const t = await setup()
    const answer = await post(t.url, { identifier: 'x'.repeat(5000), timestamp: '', messageMAC: '' })
    expect(answer.status).toBe(413)
    expect(t.recorder.rejected).toHaveLength(1)
    expect(t.recorder.rejected[0]).toMatchObject({ reason: 'too-large', transport: 'codeskyblue' })
  })

  it('takes a form body or none; any other declared type is 415 (the Go client posts forms)', async () => {
    const t = await setup()
    const mac = hexMac(':c-1')
    const form = new URLSearchParams({ identifier: 'c-1', timestamp: '', messageMAC: mac })
    for (const contentType of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const response = await fetch(t.url, { method: 'POST', body: form.toString(), headers: { 'content-type': contentType } })
      expect([response.status, response.headers.get('accept-post'), await response.text()]).toEqual([
        415,
        'application/x-www-form-urlencoded',
        'unsupported content type\n',
      ])
    }
    const typed = await fetch(t.url, { method: 'POST', body: form.toString(), headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=utf-8' } })
    expect(typed.status).toBe(200)
    // No type at all: the body is ignored as Go ignores it, the query string is read.
    const untyped = await fetch(`${t.url}?${form.toString()}`, { method: 'POST', body: new Uint8Array([1, 2, 3]) })
    expect(untyped.status).toBe(200)
    expect(t.recorder.events).toEqual([])
  })

  it('refuses bad options', () => {
    const monitor = createMonitor({ secret: SECRET })
    cleanup.add(() => monitor.close())
    // secret, timeoutMs and clock are the monitor's: given here too, they are refused, not ignored.
    for (const options of [{ secret: SECRET }, { timeoutMs: 5000 }, { clock: {} }, { maxIdentifiers: 0 }, { intervalMs: 0 }, { keyId: 'a b' }, { maxBodyBytes: 0 }]) {
      expect(() => createCodeskyblueHandler(monitor, options as CodeskyblueHandlerOptions)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
    // Legacy timestamps are whole seconds: a monitor timeout under a second cannot serve them.
    const fast = createMonitor({ secret: SECRET, timeoutMs: 999 })
    cleanup.add(() => fast.close())
    expect(() => createCodeskyblueHandler(fast)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
  })
})
