import { describe, expect, it } from 'vitest'
import { decodeFrame } from '../src/protocol.js'
import { SECRET_BYTES, setup } from './helpers.js'

const otherKey = new TextEncoder().encode('not-the-secret')

describe('monitor: every bad frame is dropped, counted and reported with its reason', () => {
  const cases: [string, (s: ReturnType<typeof setup>) => Uint8Array][] = [
    ['malformed', () => new Uint8Array([0x68, 0x62, 1, 2, 0, 0])],
    ['too-large', () => new Uint8Array(2049)],
    ['unknown-key', (s) => s.frame({ keyId: 'k9' })],
    ['bad-signature', (s) => s.frame({}, otherKey)],
    ['stale', (s) => s.frame({ timestampMs: s.clock.wallNow() - 30_001 })],
    ['unexpected', (s) => s.frame({ type: 'ack', timeoutMs: 1000 })],
  ]
  it.each(cases)('%s', async (reason, make) => {
    const s = setup()
    await s.monitor.start()
    const verdict = s.pair.inject(make(s))
    if (reason !== 'too-large') expect(verdict).toEqual({ accepted: false, reason })
    expect(s.rejected).toEqual([reason])
    expect(s.monitor.stats().rejected[reason as 'malformed']).toBe(1)
    expect(s.monitor.size).toBe(0)
    expect(s.events).toEqual([])
    await s.monitor.close()
  })

  it('replay: the same signed frame twice, and an older sequence, are rejected', async () => {
    const s = setup()
    await s.monitor.start()
    const first = s.frame({ seq: 10 })
    expect(s.pair.inject(first)?.accepted).toBe(true)
    expect(s.pair.inject(first)).toEqual({ accepted: false, reason: 'replay' })
    expect(s.pair.inject(s.frame({ seq: 9 }))).toEqual({ accepted: false, reason: 'replay' })
    expect(s.pair.inject(s.frame({ seq: 11 }))?.accepted).toBe(true)
    // A restarted client (higher incarnation) is not locked out by its old sequence numbers.
    expect(s.pair.inject(s.frame({ incarnation: 2, seq: 0 }))?.accepted).toBe(true)
    expect(s.pair.inject(s.frame({ incarnation: 1, seq: 1000 }))).toEqual({ accepted: false, reason: 'replay' })
    expect(s.rejected).toEqual(['replay', 'replay', 'replay'])
    await s.monitor.close()
  })

  it('stale at skew + 1 ms in both directions, fresh at exactly skew', async () => {
    const s = setup({ skewMs: 5000 })
    await s.monitor.start()
    // A known peer: an unknown one's frame stamped before the monitor started is stale anyway (next test).
    expect(s.beat()?.accepted).toBe(true)
    s.clock.advance(10_000)
    const now = s.clock.wallNow()
    expect(s.pair.inject(s.frame({ timestampMs: now + 5001 }))).toEqual({ accepted: false, reason: 'stale' })
    expect(s.pair.inject(s.frame({ timestampMs: now - 5001 }))).toEqual({ accepted: false, reason: 'stale' })
    expect(s.pair.inject(s.frame({ timestampMs: now - 5000 }))?.accepted).toBe(true)
    expect(s.pair.inject(s.frame({ timestampMs: now + 5000 }))?.accepted).toBe(true)
    await s.monitor.close()
  })

  it('peer-limit: a new peer past maxPeers is rejected, known peers keep working', async () => {
    const s = setup({ maxPeers: 2 })
    await s.monitor.start()
    expect(s.beat('a')?.accepted).toBe(true)
    expect(s.beat('b')?.accepted).toBe(true)
    expect(s.beat('c')).toEqual({ accepted: false, reason: 'peer-limit' })
    expect(s.beat('a')?.accepted).toBe(true)
    expect(s.monitor.size).toBe(2)
    expect(s.monitor.get('c')).toBeUndefined()
    await s.monitor.close()
  })

  it('forged traffic creates no peer state', async () => {
    const s = setup()
    await s.monitor.start()
    for (let i = 0; i < 1000; i++) s.pair.inject(s.frame({ peerId: `forged-${i}` }, otherKey))
    expect(s.monitor.size).toBe(0)
    expect(s.monitor.stats().rejected['bad-signature']).toBe(1000)
    await s.monitor.close()
  })

  it('accepts JSON frames and acks in the encoding it was sent', async () => {
    const acks: Uint8Array[] = []
    const s = setup({}, { kind: 'datagram', encoding: 'json' })
    await s.monitor.start()
    await s.pair.client.connect({ onFrame: (b) => acks.push(b), onLinkDown: () => {} }, { maxFrameBytes: 2048 })
    await s.pair.client.send(s.frame({ type: 'hello', intervalMs: 100, peerId: 'json-peer' }, SECRET_BYTES, 'json'))
    expect(s.events).toEqual(['0 online json-peer'])
    expect(acks).toHaveLength(1)
    const decoded = decodeFrame(acks[0] as Uint8Array, 2048)
    expect(decoded.ok && decoded.encoding).toBe('json')
    expect(decoded.ok && decoded.frame.type).toBe('ack')
    await s.monitor.close()
  })
})

describe('monitor: stats per transport', () => {
  it('counts accepted and rejected frames in all and per transport name', async () => {
    const s = setup()
    await s.monitor.start()
    const http = s.monitor.attach({ name: 'http', kind: 'request' })
    expect(s.beat('a')?.accepted).toBe(true)
    expect(s.beat('b')?.accepted).toBe(true)
    expect(http.onFrame({ bytes: s.frame({ peerId: 'c' }), remoteAddress: 'x:1', reply: () => {} }).accepted).toBe(true)
    expect(http.onFrame({ bytes: new Uint8Array([1, 2, 3]), remoteAddress: 'x:1', reply: () => {} })).toEqual({ accepted: false, reason: 'malformed' })
    http.onRejected({ reason: 'too-large', remoteAddress: 'x:1' })
    const stats = s.monitor.stats()
    expect(stats.accepted).toBe(3)
    expect(stats.rejected).toMatchObject({ malformed: 1, 'too-large': 1 })
    expect(stats.transports.memory).toEqual({ accepted: 2, rejected: expect.objectContaining({ malformed: 0, 'too-large': 0 }) })
    expect(stats.transports.http).toEqual({ accepted: 1, rejected: expect.objectContaining({ malformed: 1, 'too-large': 1 }) })
    await s.monitor.close()
  })
})
