import { describe, expect, it } from 'vitest'
import { createKeyResolver } from '../src/signing/key-resolver.js'
import { signAckTo, signFrame } from '../src/signing/frame-signer.js'
import { verifyFrame } from '../src/signing/frame-verifier.js'
import type { FrameFields } from '../src/wire/frame.js'

const key = new TextEncoder().encode('ack signing')
// Any key id names the same key: the test is about the bytes, not about key selection.
const keys = createKeyResolver({ key: () => key })

const peerIds = ['p', 'peer-000000000001', 'ü-peer', '🫀'.repeat(63), 'x'.repeat(255)]
const keyIds = ['', 'k1']
const frames: FrameFields[] = []
for (const peerId of peerIds) {
  for (const keyId of keyIds) {
    frames.push(
      { type: 'hello', peerId, keyId, incarnation: 0, seq: 0, timestampMs: 0, intervalMs: 1 },
      { type: 'beat', peerId, keyId, incarnation: 2 ** 48 - 1, seq: 2 ** 32 - 1, timestampMs: 2 ** 48 - 1 },
      { type: 'beat', peerId, keyId, incarnation: 17, seq: 99, timestampMs: 1_795_000_000_000, rttMs: 12 },
      { type: 'bye', peerId, keyId, incarnation: 5, seq: 6, timestampMs: 7 },
    )
  }
}

describe('signAckTo', () => {
  it.each(['binary', 'json'] as const)(
    'gives exactly the bytes signFrame gives for the ack, built from the verified frame (%s)',
    (encoding) => {
      for (const fields of frames) {
        const verified = verifyFrame(signFrame(fields, key, encoding), keys, 2048)
        if (!verified.ok) throw new Error(`fixture did not verify: ${verified.detail}`)
        for (const timestampMs of [0, 1_795_000_000_123, 2 ** 48 - 1]) {
          for (const [timeoutMs, clockCorrection] of [[1, false], [15_000, true], [2 ** 32 - 1, false]] as const) {
            const { peerId, keyId, incarnation, seq } = fields
            const ackFields = { type: 'ack' as const, peerId, keyId, incarnation, seq, timestampMs, timeoutMs, ...(clockCorrection ? { clockCorrection } : {}) }
            const expected = signFrame(ackFields, key, encoding)
            const ack = signAckTo(verified.frame, verified.canonical, key, encoding, timestampMs, timeoutMs, clockCorrection)
            expect(Buffer.from(ack).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
          }
        }
      }
    },
  )

  it('leaves the verified frame\'s bytes untouched', () => {
    const bytes = signFrame(frames[2]!, key, 'binary')
    const before = Buffer.from(bytes).toString('hex')
    const verified = verifyFrame(bytes, keys, 2048)
    if (!verified.ok) throw new Error('fixture did not verify')
    signAckTo(verified.frame, verified.canonical, key, 'binary', 42, 15_000, false)
    expect(Buffer.from(bytes).toString('hex')).toBe(before)
  })

  it.each([-1, 2 ** 48, 1.5, Number.NaN])('refuses a timestamp the frame cannot carry (%s), as signFrame does', (timestampMs) => {
    const verified = verifyFrame(signFrame(frames[2]!, key, 'binary'), keys, 2048)
    if (!verified.ok) throw new Error('fixture did not verify')
    expect(() => signAckTo(verified.frame, verified.canonical, key, 'binary', timestampMs, 15_000, false)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_MALFORMED' }),
    )
  })

  it.each([0, 2 ** 32, 1.5, Number.NaN])('refuses a timeout the frame cannot carry (%s)', (timeoutMs) => {
    const verified = verifyFrame(signFrame(frames[2]!, key, 'binary'), keys, 2048)
    if (!verified.ok) throw new Error('fixture did not verify')
    expect(() => signAckTo(verified.frame, verified.canonical, key, 'binary', 42, timeoutMs, false)).toThrow(
      expect.objectContaining({ code: 'HB_ERR_MALFORMED' }),
    )
  })
})
