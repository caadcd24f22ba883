import { createHash, createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hmacSha256, verifyHmacSha256 } from '../src/protocol.js'
import { finishSha256, SHA256_INITIAL_STATE } from '../src/signing/sha256.js'

// The JavaScript SHA-256 behind the hot-path HMAC, checked against node:crypto
// at every length around the block and padding boundaries, and at random.
const lengths = [...Array.from({ length: 140 }, (_, i) => i), 183, 184, 191, 192, 255, 256, 1000, 4096]

describe('JavaScript SHA-256 and HMAC agree with node:crypto', () => {
  it.each(lengths)('message of %i bytes', (length) => {
    const message = randomBytes(length)
    const out = new Uint8Array(32)
    finishSha256(Int32Array.from(SHA256_INITIAL_STATE), 0, message, out, 0)
    expect(Buffer.from(out).toString('hex')).toBe(createHash('sha256').update(message).digest('hex'))
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = randomBytes(keyLength)
      const mac = hmacSha256(key, message)
      expect(Buffer.from(mac).toString('hex')).toBe(createHmac('sha256', key).update(message).digest('hex'))
      expect(verifyHmacSha256(key, message, mac)).toBe(true)
    }
  })

  it('rejects a MAC differing in any single bit', () => {
    const key = randomBytes(16)
    const message = randomBytes(70)
    const mac = hmacSha256(key, message)
    for (let bit = 0; bit < 256; bit++) {
      const bad = mac.slice()
      bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7))
      expect(verifyHmacSha256(key, message, bad)).toBe(false)
    }
  })
})
