import { describe, expect, it } from 'vitest'
import { decodeBinaryFrame } from '../src/protocol.js'
import { createMonitor } from '../src/index.js'
import { codeskyblueMessages, createCodeskyblueProtocol } from '../src/legacy/codeskyblue.js'
import type { CodeskyblueProtocolOptions, CodeskyblueRequest } from '../src/legacy/codeskyblue.js'
import { createFakeClock } from '../src/testing/index.js'

const SECRET = 'my-secret'
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
  const protocol = createCodeskyblueProtocol({ secret: SECRET, timeoutMs: 15_000, clock, ...options })
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

  it('turns the first beat into a signed hello and later ones into beats of the same incarnation', async () => {
    const { clock, protocol, request, handshake } = setup({ intervalMs: 5000 })
    let timestamp = await handshake('client-1')
    const first = protocol.handle(await request('client-1', timestamp))
    expect(first.status).toBe(200)
    expect(first.body).toBe(`${START_SECONDS} ${await hexMac(`${START_SECONDS}:timestamp`)}`)
    expect(first.beat).toMatchObject({ peerId: 'client-1', type: 'hello', seq: 0, incarnation: WALL_START_MS })
    const decoded = decodeBinaryFrame(first.beat!.frame, 4096)
    expect(decoded.ok && decoded.frame).toMatchObject({ type: 'hello', peerId: 'client-1', keyId: '', seq: 0, intervalMs: 5000, timestampMs: WALL_START_MS })
    // Signed with the legacy secret itself, over the canonical bytes (PROTOCOL.md §4).
    if (decoded.ok) expect(Buffer.from(decoded.frame.mac).toString('hex')).toBe(await hexMac(decoded.canonical.slice()))
    for (let seq = 1; seq <= 3; seq++) {
      clock.advance(5000)
      timestamp = protocol.handle(await request('client-1', timestamp)).body.split(' ')[0] as string
      expect(timestamp).toBe(String(START_SECONDS + 5 * seq))
    }
    const next = protocol.handle(await request('client-1', timestamp))
    expect(next.beat).toMatchObject({ type: 'beat', seq: 4, incarnation: WALL_START_MS })
    expect(protocol.size).toBe(1)
  })

  it('starts a new session (hello, larger incarnation) after a silence longer than the timeout', async () => {
    const { clock, protocol, request, handshake } = setup()
    const first = protocol.handle(await request('p', await handshake('p')))
    clock.advance(15_000)
    const within = protocol.handle(await request('p', first.body.split(' ')[0]))
    expect(within.beat).toMatchObject({ type: 'beat', seq: 1 })
    clock.advance(15_001)
    const after = protocol.handle(await request('p', await handshake('p')))
    expect(after.beat?.type).toBe('hello')
    expect(after.beat?.seq).toBe(0)
    expect(after.beat!.incarnation).toBeGreaterThan(first.beat!.incarnation)
  })

  it('feeds a monitor with the same secret: online at the first beat, never at a handshake', async () => {
    const { clock, protocol, request, handshake } = setup()
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 15_000, clock })
    const handler = monitor.attach({ name: 'codeskyblue', kind: 'request' })
    const online: string[] = []
    monitor.on('online', (peer) => online.push(`${peer.id} ${peer.transport}`))
    const timestamp = await handshake('client-1')
    expect(online).toEqual([])
    for (let i = 0; i < 3; i++) {
      const { beat } = protocol.handle(await request('client-1', timestamp))
      expect(handler.onFrame({ bytes: beat!.frame, remoteAddress: 'test', reply: () => {} })).toEqual({ accepted: true })
    }
    expect(online).toEqual(['client-1 codeskyblue'])
    // A monitor with another secret refuses the frames: the secrets must match.
    const other = createMonitor({ secret: 'another-secret', clock })
    const otherHandler = other.attach({ name: 'codeskyblue', kind: 'request' })
    const { beat } = protocol.handle(await request('client-2', timestamp))
    expect(otherHandler.onFrame({ bytes: beat!.frame, remoteAddress: 'test', reply: () => {} })).toEqual({ accepted: false, reason: 'bad-signature' })
    await Promise.all([monitor.close(), other.close()])
  })

  it('signs under keyId when one is given', async () => {
    const { protocol, request, handshake } = setup({ keyId: 'legacy' })
    const { beat } = protocol.handle(await request('p', await handshake('p')))
    const decoded = decodeBinaryFrame(beat!.frame, 4096)
    expect(decoded.ok && decoded.frame.keyId).toBe('legacy')
  })
})

describe('codeskyblue protocol: errors, in the Go server order', () => {
  it('checks identifier, then MAC, then timestamp', async () => {
    const { protocol, request } = setup()
    const stale = String(START_SECONDS - 100)
    const cases: [string, CodeskyblueRequest, string, string][] = [
      ['everything wrong', { identifier: '', timestamp: 'x', messageMAC: 'nope' }, codeskyblueMessages.emptyIdentifier, 'malformed'],
      ['missing fields', { identifier: '', timestamp: '', messageMAC: '' }, codeskyblueMessages.emptyIdentifier, 'malformed'],
      ['bad MAC and stale', { identifier: 'p', timestamp: stale, messageMAC: await hexMac(`${stale}:p`, 'wrong') }, codeskyblueMessages.badMac, 'bad-signature'],
      ['empty MAC', { identifier: 'p', timestamp: '', messageMAC: '' }, codeskyblueMessages.badMac, 'bad-signature'],
      ['stale', await request('p', stale), codeskyblueMessages.badTimestamp, 'stale'],
    ]
    for (const [name, input, body, reason] of cases) {
      expect({ name, ...protocol.handle(input) }).toEqual({ name, status: 400, body, reason })
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
    for (const options of [{ secret: '' }, { secret: SECRET, timeoutMs: 999 }, { secret: SECRET, maxIdentifiers: 0 }, { secret: SECRET, intervalMs: 0 }, { secret: SECRET, keyId: 'a b' }]) {
      expect(() => createCodeskyblueProtocol(options)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
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
    expect(protocol.handle(captured)).toEqual({ status: 400, body: codeskyblueMessages.badTimestamp, reason: 'replay' })
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
    const firstOfA = protocol.handle(await request('a', t))
    clock.advance(1000)
    for (const id of ['b', 'c', 'a', 'd']) expect(protocol.handle(await request(id, t)).status).toBe(200)
    // 'b' was the least recently accepted ('a' beat again after it) and is forgotten:
    // its next beat starts a new session.
    expect(protocol.size).toBe(3)
    expect(protocol.handle(await request('b', t)).beat?.type).toBe('hello')
    expect(protocol.handle(await request('a', t)).beat).toMatchObject({ type: 'beat', incarnation: firstOfA.beat!.incarnation })
  })

  it('never throws on hostile input', () => {
    const { protocol } = setup()
    for (const input of [undefined, null, {}, { identifier: 1, timestamp: {}, messageMAC: [] }, { identifier: '\u0000', timestamp: '\uffff', messageMAC: 'zz' }]) {
      expect(protocol.handle(input as unknown as CodeskyblueRequest).status).toBe(400)
    }
  })
})
