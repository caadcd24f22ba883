import { afterEach, describe, expect, it } from 'vitest'
import { chooseHmacBackend, hmacSha256, hmacSha256Into, setHmacBackend, verifyHmacSha256 } from '../src/signing/hmac.js'

// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
const jefe = new TextEncoder().encode('Jefe')
const question = new TextEncoder().encode('what do ya want for nothing?')
const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

afterEach(() => setHmacBackend(undefined))

/** The in-place MAC of `data`'s first `length` bytes under `key`, with the given backend. */
function macWith(backend: 'js' | 'node', key: Uint8Array, length: number): string {
  setHmacBackend(backend)
  const data = new Uint8Array(length + 32).map((_, i) => (i * 7 + length) & 0xff)
  hmacSha256Into(key, data, length, data, length)
  return hex(data.subarray(length, length + 32))
}

describe('HMAC backends', () => {
  for (const backend of ['js', 'node'] as const) {
    it(`${backend}: RFC 4231 case 2, and verify`, () => {
      setHmacBackend(backend)
      expect(hex(hmacSha256(jefe, question))).toBe(expected)
      expect(verifyHmacSha256(jefe, question, Buffer.from(expected, 'hex'))).toBe(true)
      const wrong = Buffer.from(expected, 'hex')
      wrong[31]! ^= 1
      expect(verifyHmacSha256(jefe, question, wrong)).toBe(false)
    })
  }

  it('both backends give the same in-place MAC for every length up to three blocks, short and long keys', () => {
    for (const key of [jefe, new Uint8Array(100).map((_, i) => (i * 31) & 0xff)]) {
      for (let length = 0; length <= 192; length++) expect(macWith('node', key, length)).toBe(macWith('js', key, length))
    }
  })

  it('a Buffer key changed in place is MACed with its new bytes (its cached copy shares no memory)', () => {
    for (const backend of ['js', 'node'] as const) {
      setHmacBackend(backend)
      const key = Buffer.from([1, 2, 3])
      hmacSha256(key, question)
      key[0] = 9
      expect(hex(hmacSha256(key, question))).toBe(hex(hmacSha256(new Uint8Array([9, 2, 3]), question)))
    }
  })

  it('a key changed in place is MACed with its new bytes on the native path too', () => {
    const key = new Uint8Array([1, 2, 3])
    setHmacBackend('node')
    hmacSha256(key, question)
    key[0] = 9
    const native = hex(hmacSha256(key, question))
    setHmacBackend('js')
    expect(native).toBe(hex(hmacSha256(new Uint8Array([9, 2, 3]), question)))
  })

  it('calibration measures both paths once, picks one, and is remembered', () => {
    const first = chooseHmacBackend()
    expect(['js', 'node']).toContain(first.backend)
    expect(first.jsNs).toBeGreaterThan(0)
    expect(first.nodeNs).toBeGreaterThan(0)
    // Native only when clearly faster: the deterministic fallback is JavaScript.
    expect(first.backend === 'node').toBe(first.nodeNs < 0.8 * first.jsNs)
    expect(chooseHmacBackend()).toBe(first)
    expect(hex(hmacSha256(jefe, question))).toBe(expected)
  })
})

describe('the re-calibration', () => {
  it('chooses again once, 50 000 MACs after the first choice, and keeps a forced backend', () => {
    setHmacBackend(undefined)
    const first = chooseHmacBackend()
    const key = new Uint8Array(32).fill(1)
    const data = new Uint8Array(40)
    for (let i = 0; i < 49_999; i++) hmacSha256(key, data)
    expect(chooseHmacBackend()).toBe(first)
    hmacSha256(key, data)
    const second = chooseHmacBackend()
    expect(second).not.toBe(first)
    for (let i = 0; i < 60_000; i++) hmacSha256(key, data)
    expect(chooseHmacBackend()).toBe(second)

    setHmacBackend('node')
    for (let i = 0; i < 50_000; i++) hmacSha256(key, data)
    expect(chooseHmacBackend().backend).toBe('node')
  })
})
