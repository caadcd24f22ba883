import { describe, expect, it } from 'vitest'
import { createMonitor } from '@hb/core'
import { createFakeClock } from '@hb/core/testing'
import { codeskyblueMessages, createCodeskyblueProtocol, isReplay } from '../../src/codeskyblue/codeskyblue-protocol.js'
import type { CodeskyblueProtocolOptions, CodeskyblueRequest } from '../../src/codeskyblue/codeskyblue-protocol.js'

const SECRET = 'my-secret'
const KEY = new TextEncoder().encode(SECRET)
const WALL_START_MS = 1_700_000_000_000 // a whole second
const START_SECONDS = WALL_START_MS / 1000

// The reference MAC comes from WebCrypto, not from core's signing module, so the
// test checks the legacy wire format against an independent implementation.
async function hexMac(message: string | Uint8Array, secret = SECRET): Promise<string> {
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const data = typeof message === 'string' ? encoder.encode(message) : message
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, data))
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')
}

function setup(options: Partial<CodeskyblueProtocolOptions> = {}) {
  const clock = createFakeClock(0, { wallStartMs: WALL_START_MS })
  const protocol = createCodeskyblueProtocol({ keyFor: () => KEY, timeoutMs: 15_000, clock, ...options })
  /** A request as the Go client builds it. */
  const request = async (identifier: string, timestamp = '', secret = SECRET): Promise<CodeskyblueRequest> => ({
    identifier,
    timestamp,
    messageMAC: await hexMac(`${timestamp}:${identifier}`, secret),
  })
  /** Handshake, then the server's timestamp for the next beat. */
  const handshake = async (identifier: string): Promise<string> => {
    const answer = protocol.handle(await request(identifier))
    expect(answer.status).toBe(200)
    return answer.body.split(' ')[0] as string
  }
  return { clock, protocol, request, handshake }
}

describe('codeskyblue protocol: handshake and beats', () => {
  it('answers a handshake with fresh seconds and their MAC, and registers nothing', async () => {
    const { protocol, request } = setup()
    const answer = protocol.handle(await request('client-1'))
    expect(answer).toEqual({ status: 200, body: `${START_SECONDS} ${await hexMac(`${START_SECONDS}:timestamp`)}` })
    expect(answer.body.endsWith('\n')).toBe(false)
    expect(protocol.size).toBe(0)
  })

  it('marks the first beat of a session, and not the beats after it', async () => {
    const { clock, protocol, request, handshake } = setup()
    let timestamp = await handshake('client-1')
    const first = protocol.handle(await request('client-1', timestamp))
    expect(first.status).toBe(200)
    expect(first.body).toBe(`${START_SECONDS} ${await hexMac(`${START_SECONDS}:timestamp`)}`)
    expect(first.beat).toEqual({ peerId: 'client-1', sessionStart: true })
    for (let i = 1; i <= 3; i++) {
      clock.advance(5000)
      timestamp = protocol.handle(await request('client-1', timestamp)).body.split(' ')[0] as string
      expect(timestamp).toBe(String(START_SECONDS + 5 * i))
    }
    const next = protocol.handle(await request('client-1', timestamp))
    expect(next.beat).toEqual({ peerId: 'client-1', sessionStart: false })
    expect(protocol.size).toBe(1)
  })

  it('starts a new session after a silence of timeoutMs', async () => {
    const { clock, protocol, request, handshake } = setup()
    const first = protocol.handle(await request('p', await handshake('p')))
    clock.advance(15_000 - 1)
    const within = protocol.handle(await request('p', first.body.split(' ')[0]))
    expect(within.beat).toEqual({ peerId: 'p', sessionStart: false })
    clock.advance(15_000)
    const after = protocol.handle(await request('p', await handshake('p')))
    expect(after.beat).toEqual({ peerId: 'p', sessionStart: true })
  })

  it('feeds a monitor its verified beats (onAuthenticatedBeat): online at the first beat, never at a handshake', async () => {
    const { clock, protocol, request, handshake } = setup()
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 15_000, clock })
    const handler = monitor.attach({ name: 'codeskyblue', kind: 'request' })
    const online: string[] = []
    monitor.on('online', (peer) => online.push(`${peer.id} ${peer.transport}`))
    const timestamp = await handshake('client-1')
    expect(online).toEqual([])
    for (let i = 0; i < 3; i++) {
      const { beat } = protocol.handle(await request('client-1', timestamp))
      expect(handler.onAuthenticatedBeat({ peerId: beat!.peerId, remoteAddress: 'test', intervalMs: 5000 })).toEqual({ accepted: true })
    }
    expect(online).toEqual(['client-1 codeskyblue'])
    expect(monitor.stats().accepted).toBe(3)
    await monitor.close()
  })
})

describe('codeskyblue protocol: errors, in the Go server order', () => {
  it('checks identifier, then MAC, then timestamp', async () => {
    const { protocol, request } = setup()
    const stale = String(START_SECONDS - 100)
    // The identifier is reported (peerId) only once the MAC has authenticated it.
    const cases: [string, CodeskyblueRequest, string, string, string?][] = [
      ['everything wrong', { identifier: '', timestamp: 'x', messageMAC: 'nope' }, codeskyblueMessages.emptyIdentifier, 'malformed'],
      ['missing fields', { identifier: '', timestamp: '', messageMAC: '' }, codeskyblueMessages.emptyIdentifier, 'malformed'],
      ['bad MAC and stale', { identifier: 'p', timestamp: stale, messageMAC: await hexMac(`${stale}:p`, 'wrong') }, codeskyblueMessages.badMac, 'bad-signature'],
      ['empty MAC', { identifier: 'p', timestamp: '', messageMAC: '' }, codeskyblueMessages.badMac, 'bad-signature'],
      ['stale', await request('p', stale), codeskyblueMessages.badTimestamp, 'stale', 'p'],
    ]
    for (const [name, input, body, reason, peerId] of cases) {
      const expected = peerId === undefined ? { name, status: 400, body, reason } : { name, status: 400, body, reason, peerId }
      expect({ name, ...protocol.handle(input) }).toEqual(expected)
    }
    expect(protocol.size).toBe(0)
  })

  it('accepts 0 ≤ now − timestamp ≤ timeout (whole seconds, truncated like Go) and nothing outside', async () => {
    for (const [timeoutMs, window] of [[15_000, 15], [15_999, 15], [1000, 1]] as const) {
      const { protocol, request } = setup({ timeoutMs })
      // One identifier per age, so the newest-timestamp rule stays out of the way.
      const at = (age: number) => request(`age${age}`, String(START_SECONDS - age))
      expect(protocol.handle(await at(-1))).toMatchObject({ status: 400, reason: 'stale' })
      expect(protocol.handle(await at(0)).status).toBe(200)
      expect(protocol.handle(await at(window)).status).toBe(200)
      expect(protocol.handle(await at(window + 1))).toMatchObject({ status: 400, reason: 'stale' })
    }
  })

  it('refuses bad options', () => {
    for (const options of [{ timeoutMs: 999 }, { timeoutMs: Number.NaN }, { maxIdentifiers: 0 }, { maxIdentifiers: 1.5 }]) {
      expect(() => createCodeskyblueProtocol({ keyFor: () => KEY, ...options })).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
  })

  it('treats an identifier without a key as a wrong MAC', async () => {
    const { clock, request } = setup()
    const protocol = createCodeskyblueProtocol({ keyFor: (id) => (id === 'known' ? KEY : undefined), clock })
    expect(protocol.handle(await request('stranger'))).toEqual({ status: 400, body: codeskyblueMessages.badMac, reason: 'bad-signature' })
    expect(protocol.handle(await request('known')).status).toBe(200)
  })
})

describe('codeskyblue protocol: the holes of the original are closed', () => {
  it('compares MACs strictly: upper-case hex, short or long MACs are wrong', async () => {
    const { protocol, request } = setup()
    const good = await request('p')
    for (const messageMAC of [good.messageMAC.toUpperCase(), good.messageMAC.slice(2), `${good.messageMAC}00`, `0x${good.messageMAC}`]) {
      expect(protocol.handle({ ...good, messageMAC })).toMatchObject({ status: 400, body: codeskyblueMessages.badMac })
    }
  })

  it('refuses a beat older than the newest accepted one for its identifier, and allows an equal one', async () => {
    const { clock, protocol, request, handshake } = setup()
    const t1 = await handshake('p')
    const captured = await request('p', t1)
    expect(protocol.handle(captured).status).toBe(200)
    expect(protocol.handle(captured).status).toBe(200) // same second: legitimate, and the known limit
    clock.advance(2000)
    const t2 = await handshake('p')
    expect(protocol.handle(await request('p', t2)).status).toBe(200)
    expect(protocol.handle(captured)).toEqual({ status: 400, body: codeskyblueMessages.badTimestamp, reason: 'replay', peerId: 'p' })
    // Replaying a handshake changes no state, so it cannot reopen the replay.
    await handshake('p')
    expect(protocol.handle(captured)).toMatchObject({ reason: 'replay' })
    // Another identifier has its own newest timestamp.
    expect(protocol.handle(await request('q', t1)).status).toBe(200)
  })

  it('parses the timestamp strictly as canonical decimal seconds, even under a valid MAC', async () => {
    const { protocol, request } = setup()
    const now = String(START_SECONDS)
    for (const timestamp of [`+${now}`, ` ${now}`, `${now} `, `0${now}`, `${now}abc`, `${now}.0`, '1.7e9', '-0', `${now}:x`]) {
      expect({ timestamp, ...protocol.handle(await request('p', timestamp)) }).toEqual({
        timestamp,
        status: 400,
        body: codeskyblueMessages.badTimestamp,
        reason: 'malformed',
        peerId: 'p',
      })
    }
  })

  it('refuses identifiers with ":" so a beat of a:b cannot be replayed as b', async () => {
    const { protocol, request } = setup()
    const now = String(START_SECONDS)
    expect(protocol.handle(await request('a:b'))).toEqual({ status: 400, body: codeskyblueMessages.identifierNotAllowed, reason: 'malformed' })
    // The original attack: the MAC of ("<t>", "a:b") is the MAC of ("<t>:a", "b").
    const forged = { identifier: 'b', timestamp: `${now}:a`, messageMAC: await hexMac(`${now}:a:b`) }
    expect(protocol.handle(forged)).toMatchObject({ status: 400, reason: 'malformed' })
    expect(protocol.size).toBe(0)
  })

  it('refuses a server answer posted back as a beat of identifier "timestamp"', async () => {
    const { protocol, request } = setup()
    const [seconds, mac] = protocol.handle(await request('client-1')).body.split(' ') as [string, string]
    expect(mac).toBe(await hexMac(`${seconds}:timestamp`)) // it is a valid beat MAC for "timestamp"…
    const posted = protocol.handle({ identifier: 'timestamp', timestamp: seconds, messageMAC: mac })
    expect(posted).toEqual({ status: 400, body: codeskyblueMessages.identifierNotAllowed, reason: 'malformed' })
    expect(protocol.size).toBe(0)
  })

  it('refuses identifiers that cannot be hb peer ids (over 255 UTF-8 bytes)', async () => {
    const { protocol, request } = setup()
    expect(protocol.handle(await request('é'.repeat(128))).body).toBe(codeskyblueMessages.identifierNotAllowed)
    expect(protocol.handle(await request('é'.repeat(127))).status).toBe(200)
  })

  it('creates state only after the MAC verified, and at most maxIdentifiers, evicting the least recently accepted', async () => {
    const { clock, protocol, request, handshake } = setup({ maxIdentifiers: 3 })
    const now = String(START_SECONDS)
    for (let i = 0; i < 200; i++) protocol.handle(await request(`forged-${i}`, now, 'wrong-secret'))
    expect(protocol.size).toBe(0)
    const t = await handshake('a')
    expect(protocol.handle(await request('a', t)).beat?.sessionStart).toBe(true)
    clock.advance(1000)
    for (const id of ['b', 'c', 'a', 'd']) expect(protocol.handle(await request(id, t)).status).toBe(200)
    // 'b' was the least recently accepted ('a' beat again after it) and is forgotten:
    // its next beat starts a new session.
    expect(protocol.size).toBe(3)
    expect(protocol.handle(await request('b', t)).beat?.sessionStart).toBe(true)
    expect(protocol.handle(await request('a', t)).beat?.sessionStart).toBe(false)
  })

  it('never throws on hostile input', () => {
    const { protocol } = setup()
    for (const input of [undefined, null, {}, { identifier: 1, timestamp: {}, messageMAC: [] }, { identifier: '\u0000', timestamp: '\uffff', messageMAC: 'zz' }]) {
      expect(protocol.handle(input as unknown as CodeskyblueRequest).status).toBe(400)
    }
  })
})

describe('codeskyblue protocol: a dead peer cannot be brought back by a replay (issue 15, item 2)', () => {
  it('isReplay: older always; equal only while the session is live and the timestamp inside the window', () => {
    // [seconds, age, window, newest, expired] → replay?
    const table: [number, number, number, number, boolean, boolean][] = [
      [99, 1, 3, 100, false, true], // older than the newest: always
      [99, 1, 3, 100, true, true],
      [100, 0, 3, 100, false, false], // equal, live session, inside the window: a legitimate fast beat
      [100, 2, 3, 100, false, false],
      [100, 3, 3, 100, false, true], // equal, exactly timeoutMs old: the edge of the window
      [100, 0, 3, 100, true, true], // equal after the session expired: a captured last beat
      [101, 2, 3, 100, true, false], // strictly newer: always fine
      [101, 3, 3, 100, true, false],
    ]
    for (const [seconds, age, window, newest, expired, replay] of table) {
      expect({ seconds, age, expired, replay: isReplay(seconds, age, window, newest, expired) }).toEqual({ seconds, age, expired, replay })
    }
  })

  it('a captured beat replayed exactly when the session expires is a replay, even inside the window', async () => {
    const { clock, protocol, request, handshake } = setup({ timeoutMs: 3000 })
    clock.advance(400)
    const t = await handshake('p') // START_SECONDS
    const last = await request('p', t)
    expect(protocol.handle(last).status).toBe(200)
    clock.advance(2999)
    expect(protocol.handle(await request('q', t)).status).toBe(200) // still inside the window (age 2 s)
    clock.advance(1) // now − last beat = 3000 ms: expired, and age is 3 s, the window's edge
    expect(protocol.handle(last)).toEqual({ status: 400, body: codeskyblueMessages.badTimestamp, reason: 'replay', peerId: 'p' })
    // The live client handshakes after its failed beat and comes back with fresh seconds.
    const fresh = await handshake('p')
    expect(Number(fresh)).toBeGreaterThan(Number(t))
    expect(protocol.handle(await request('p', fresh)).beat).toMatchObject({ peerId: 'p', sessionStart: true })
  })

  it('an equal timestamp exactly timeoutMs old is refused even while the session is live', async () => {
    const { clock, protocol, request, handshake } = setup({ timeoutMs: 3000 })
    const t = await handshake('p') // START_SECONDS, at a whole second
    expect(protocol.handle(await request('p', t)).status).toBe(200)
    clock.advance(2500)
    expect(protocol.handle(await request('p', t)).status).toBe(200) // age 2, live: a legitimate repeat
    clock.advance(600) // age 3 = the window, the session live (600 ms since the last beat)
    expect(protocol.handle(await request('p', t))).toMatchObject({ status: 400, reason: 'replay', peerId: 'p' })
    // A different identifier at the same age is still fresh: the window itself is Go's.
    expect(protocol.handle(await request('q', t)).status).toBe(200)
  })
})
