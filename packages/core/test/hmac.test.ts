import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import { hmacSha256, hmacSha256Bytes, hmacSha256Into, verifyHmacSha256 } from '../src/signing/hmac.js'
import { hmacSha256Web, verifyHmacSha256Web } from '../src/signing/hmac-web.js'

interface HmacVector {
  rfc4231Case: number
  keyHex: string
  dataHex: string
  macHex: string
  truncateBits?: number
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/signing.json', import.meta.url), 'utf8')) as {
  hmacSha256: HmacVector[]
}
const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

// Deterministic bytes for the agreement tests (xorshift32); tests may not import node:crypto.
function randomBytes(seed: number): (length: number) => Uint8Array {
  let state = seed >>> 0 || 1
  return (length) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) {
      state ^= state << 13
      state >>>= 0
      state ^= state >>> 17
      state ^= state << 5
      state >>>= 0
      out[i] = state & 0xff
    }
    return out
  }
}

const full = fixtures.hmacSha256.filter((vector) => vector.truncateBits === undefined)

describe('hmacSha256 and hmacSha256Web: RFC 4231 test cases', () => {
  it('has all seven cases', () => {
    expect(fixtures.hmacSha256.map((vector) => vector.rfc4231Case)).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  describe.each(fixtures.hmacSha256)('case $rfc4231Case', (vector) => {
    const key = fromHex(vector.keyHex)
    const data = fromHex(vector.dataHex)
    // Case 5 publishes only a prefix (a truncation test): compare that many bits.
    const compareBytes = (vector.truncateBits ?? 256) / 8

    it('node', () => {
      const mac = hmacSha256(key, data)
      expect(mac.length).toBe(32)
      expect(toHex(mac.subarray(0, compareBytes))).toBe(vector.macHex)
    })

    it('web', async () => {
      const mac = await hmacSha256Web(key, data)
      expect(mac.length).toBe(32)
      expect(toHex(mac.subarray(0, compareBytes))).toBe(vector.macHex)
    })
  })

  it('returns a plain Uint8Array on both paths, not a Buffer', async () => {
    const key = fromHex('0b'.repeat(20))
    expect(Object.getPrototypeOf(hmacSha256(key, new Uint8Array(1)))).toBe(Uint8Array.prototype)
    expect(Object.getPrototypeOf(await hmacSha256Web(key, new Uint8Array(1)))).toBe(Uint8Array.prototype)
    expect(hmacSha256Bytes).toBe(32)
  })
})

describe('verifyHmacSha256 and verifyHmacSha256Web', () => {
  const flipped = (mac: Uint8Array, index: number, bit: number): Uint8Array => {
    const copy = mac.slice()
    copy[index] = (copy[index] ?? 0) ^ (1 << bit)
    return copy
  }

  interface Row {
    name: string
    mac: (good: Uint8Array) => Uint8Array
    key?: (good: Uint8Array) => Uint8Array
    data?: (good: Uint8Array) => Uint8Array
    expected: boolean
  }
  const rows: Row[] = [
    { name: 'the right mac', mac: (good) => good, expected: true },
    { name: 'the right mac, as a view into a larger buffer', mac: (good) => {
      const big = new Uint8Array(40)
      big.set(good, 5)
      return big.subarray(5, 37)
    }, expected: true },
    { name: 'first byte, low bit flipped', mac: (good) => flipped(good, 0, 0), expected: false },
    { name: 'first byte, high bit flipped', mac: (good) => flipped(good, 0, 7), expected: false },
    { name: 'middle byte, one bit flipped', mac: (good) => flipped(good, 16, 3), expected: false },
    { name: 'last byte, low bit flipped', mac: (good) => flipped(good, 31, 0), expected: false },
    { name: 'last byte, high bit flipped', mac: (good) => flipped(good, 31, 7), expected: false },
    { name: 'all zero', mac: () => new Uint8Array(32), expected: false },
    { name: 'empty mac', mac: () => new Uint8Array(0), expected: false },
    { name: 'one byte short (the right prefix)', mac: (good) => good.subarray(0, 31), expected: false },
    { name: 'one byte long (the right mac + 0)', mac: (good) => Uint8Array.of(...good, 0), expected: false },
    { name: 'truncated to 128 bits (the right prefix)', mac: (good) => good.subarray(0, 16), expected: false },
    { name: 'twice the length', mac: (good) => Uint8Array.of(...good, ...good), expected: false },
    { name: 'the right mac, another key', mac: (good) => good, key: (key) => Uint8Array.of(...key, 1), expected: false },
    { name: 'the right mac, one data bit flipped', mac: (good) => good, data: (data) => flipped(data, 0, 0), expected: false },
    { name: 'the right mac, one more data byte', mac: (good) => good, data: (data) => Uint8Array.of(...data, 0), expected: false },
  ]

  describe.each(full)('RFC 4231 case $rfc4231Case', (vector) => {
    const key = fromHex(vector.keyHex)
    const data = fromHex(vector.dataHex)
    const good = fromHex(vector.macHex)

    it.each(rows)('$name → $expected', async (row) => {
      const rowKey = row.key?.(key) ?? key
      const rowData = row.data?.(data) ?? data
      const mac = row.mac(good)
      expect(verifyHmacSha256(rowKey, rowData, mac)).toBe(row.expected)
      await expect(verifyHmacSha256Web(rowKey, rowData, mac)).resolves.toBe(row.expected)
    })
  })

  it('rejects the published 128-bit prefix of case 5 as a full mac (wrong length)', async () => {
    const vector = fixtures.hmacSha256.find((candidate) => candidate.truncateBits === 128)
    if (vector === undefined) throw new Error('fixture lacks case 5')
    const [key, data, mac] = [fromHex(vector.keyHex), fromHex(vector.dataHex), fromHex(vector.macHex)]
    expect(verifyHmacSha256(key, data, mac)).toBe(false)
    await expect(verifyHmacSha256Web(key, data, mac)).resolves.toBe(false)
  })
})

describe('node and web paths agree', () => {
  it('on random keys (0–200 bytes, across the 64-byte block) and data (0–500 bytes)', async () => {
    const random = randomBytes(0x5eed)
    for (let i = 0; i < 150; i++) {
      const key = random(i === 0 ? 0 : (random(1)[0] ?? 0) % 201)
      const data = random(((random(2)[0] ?? 0) * 2) % 501)
      const node = hmacSha256(key, data)
      const web = await hmacSha256Web(key, data)
      expect(toHex(web), `key ${key.length} bytes, data ${data.length} bytes`).toBe(toHex(node))
      expect(verifyHmacSha256(key, data, web)).toBe(true)
      await expect(verifyHmacSha256Web(key, data, node)).resolves.toBe(true)
    }
  })

  it('on the empty key, which WebCrypto cannot import as such (RFC 2104 zero padding)', async () => {
    const data = new TextEncoder().encode('hb')
    const empty = await hmacSha256Web(new Uint8Array(0), data)
    expect(toHex(empty)).toBe(toHex(hmacSha256(new Uint8Array(0), data)))
    expect(toHex(empty)).toBe(toHex(hmacSha256(new Uint8Array(64), data)))
  })

  it('web: concurrent first uses of one key share the import and all succeed', async () => {
    const key = randomBytes(7)(32)
    const data = randomBytes(8)(64)
    const macs = await Promise.all(Array.from({ length: 20 }, () => hmacSha256Web(key, data)))
    for (const mac of macs) expect(toHex(mac)).toBe(toHex(hmacSha256(key, data)))
  })
})

describe('hmacSha256Into', () => {
  it('MACs a prefix and writes the tag in place right after it, as hmacSha256 of the prefix', () => {
    const key = new TextEncoder().encode('in place')
    for (const length of [0, 1, 45, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const frame = new Uint8Array(length + hmacSha256Bytes).map((_, i) => (i * 131 + length) & 255)
      const expected = hmacSha256(key, frame.slice(0, length))
      hmacSha256Into(key, frame, length, frame, length)
      expect(Buffer.from(frame.subarray(length)).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
    }
  })
})

describe('web path without WebCrypto', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('rejects with HB_ERR_CONFIG, naming the missing API', async () => {
    vi.stubGlobal('crypto', undefined)
    const promise = hmacSha256Web(new Uint8Array(32), new Uint8Array(1))
    await expect(promise).rejects.toSatisfy(
      (error) => HeartbeatError.isInstance(error) && error.code === 'HB_ERR_CONFIG' && /crypto\.subtle/.test(error.message),
    )
    await expect(verifyHmacSha256Web(new Uint8Array(32), new Uint8Array(1), new Uint8Array(32))).rejects.toThrow(
      /crypto\.subtle/,
    )
  })
})
