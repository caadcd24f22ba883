import { describe, expect, it } from 'vitest'
import { createBeater, createMonitor, deriveKey, perPeerKeys } from '../src/index.js'
import { hmacSha256 } from '../src/protocol.js'
import { createFakeClock, createMemoryTransportPair, settle } from '../src/testing/index.js'

const master = 'the master secret'

describe('perPeerKeys', () => {
  it('gives each peer deriveKey(master, id), the same array every time', () => {
    const key = perPeerKeys(master)
    const first = key('device-1', '')
    expect(first).toEqual(deriveKey(master, 'device-1'))
    expect(key('device-1', '')).toBe(first)
    expect(key('device-2', '')).toEqual(deriveKey(master, 'device-2'))
    expect(key('device-2', '')).not.toEqual(first)
  })

  it('keeps at most max keys, least recently used out first', () => {
    const key = perPeerKeys(master, { max: 2 })
    const a = key('a', '')
    const b = key('b', '')
    expect(key('a', '')).toBe(a) // a is now the most recently used
    key('c', '') // evicts b
    expect(key('a', '')).toBe(a)
    const bAgain = key('b', '')
    expect(bAgain).not.toBe(b)
    expect(bAgain).toEqual(b)
  })

  it('has no key for an id no key can be derived for, instead of throwing', () => {
    const key = perPeerKeys(master)
    expect(key('a\ud800', '')).toBeUndefined()
    expect(key('x'.repeat(256), '')).toBeUndefined()
  })

  it('snapshots the master: writing to the caller\'s array later changes nothing', () => {
    const bytes = new TextEncoder().encode(master)
    const key = perPeerKeys(bytes)
    bytes.fill(0)
    expect(key('p', '')).toEqual(deriveKey(master, 'p'))
  })

  it('validates its options', () => {
    expect(() => perPeerKeys('')).toThrow(/empty/)
    expect(() => perPeerKeys(master, { max: 0 })).toThrow(/max/)
    expect(() => perPeerKeys(master, { max: 1.5 })).toThrow(/max/)
  })

  it('serves a monitor: each beater with its own derived key goes online, a peer with another\'s key does not', async () => {
    const clock = createFakeClock(0)
    const pair = createMemoryTransportPair({ kind: 'datagram' })
    const monitor = createMonitor({ key: perPeerKeys(master), timeoutMs: 1000, clock, transports: [pair.server] })
    const online: string[] = []
    const rejected: string[] = []
    monitor.on('online', (peer) => online.push(peer.id))
    monitor.on('rejected', (info) => rejected.push(`${info.reason} ${info.peerId}`))
    await monitor.start()
    const good = createBeater({ id: 'good', secret: deriveKey(master, 'good'), transport: pair.client, clock })
    const impostor = createBeater({ id: 'victim', secret: deriveKey(master, 'good'), transport: pair.createClient(), clock })
    const stops = [good.start(), impostor.start()]
    await settle()
    expect(online).toEqual(['good'])
    expect(rejected).toEqual(['bad-signature victim'])
    for (const stop of stops) await stop({ bye: false })
    await monitor.close()
  })
})

describe('the HMAC key preparation cache', () => {
  it('never gives a stale MAC when a key array is written in place', () => {
    const key = new TextEncoder().encode('key-one-key-one-key-one-key-one!')
    const data = new TextEncoder().encode('a frame')
    const before = hmacSha256(key, data)
    key[0] = key[0]! ^ 1
    const after = hmacSha256(key, data)
    expect(after).not.toEqual(before)
    expect(after).toEqual(hmacSha256(key.slice(), data))
    key[0] = key[0]! ^ 1
    expect(hmacSha256(key, data)).toEqual(before)
  })

  it('notices a change of length through a resized view of the same buffer', () => {
    const long = new Uint8Array(100).fill(7)
    const data = new Uint8Array([1, 2, 3])
    const mac = hmacSha256(long, data)
    long.fill(8, 50)
    expect(hmacSha256(long, data)).not.toEqual(mac)
    expect(hmacSha256(long, data)).toEqual(hmacSha256(long.slice(), data))
  })
})
