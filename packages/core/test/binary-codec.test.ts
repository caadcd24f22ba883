import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeBinaryFrame, encodeBinaryFrame, encodeCanonical } from '../src/wire/binary-codec.js'
import { decodeFrame } from '../src/wire/decode-frame.js'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import type { FrameFields } from '../src/wire/frame.js'
import { DEFAULT_MAX_FRAME_BYTES, MAX_BINARY_FRAME_BYTES, MAX_RTT_MS, MIN_FRAME_BYTES } from '../src/wire/frame.js'
import { fromHex, toHex } from '../src/wire/hex.js'

interface FrameVector {
  name: string
  fields: FrameFields
  macHex: string
  binaryHex: string
  json: string
}
interface MalformedVector {
  name: string
  hex: string
  maxFrameBytes?: number
  reason: 'malformed' | 'too-large'
  detail: string
}

const load = <T>(file: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as T
const vectors = load<FrameVector[]>('frames.json')
const malformedVectors = load<MalformedVector[]>('malformed.json')

function bytes(hex: string): Uint8Array {
  const out = fromHex(hex)
  if (out === undefined) throw new Error(`bad hex in fixture: ${hex}`)
  return out
}

const mac = bytes(vectors[0]!.macHex)
const beat: FrameFields = { type: 'beat', peerId: 'peer-1', keyId: 'k1', incarnation: 7, seq: 8, timestampMs: 9 }

describe('binary frame vectors', () => {
  it.each(vectors)('$name: encodes to the exact bytes', (vector) => {
    expect(toHex(encodeBinaryFrame(vector.fields, bytes(vector.macHex)))).toBe(vector.binaryHex)
  })

  it.each(vectors)('$name: canonical bytes are the frame without its mac', (vector) => {
    const frame = bytes(vector.binaryHex)
    expect(toHex(encodeCanonical(vector.fields))).toBe(toHex(frame.subarray(0, frame.length - 32)))
  })

  it.each(vectors)('$name: decodes back to the fields, the mac and the canonical prefix', (vector) => {
    const frame = bytes(vector.binaryHex)
    const result = decodeBinaryFrame(frame, DEFAULT_MAX_FRAME_BYTES)
    expect(result).toStrictEqual({
      ok: true,
      frame: { ...vector.fields, mac: bytes(vector.macHex) },
      canonical: frame.subarray(0, frame.length - 32),
      encoding: 'binary',
    })
    expect(decodeFrame(frame, DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(result)
  })

  it('covers the shortest and the longest frame', () => {
    const lengths = vectors.map((vector) => vector.binaryHex.length / 2)
    expect(Math.min(...lengths)).toBe(MIN_FRAME_BYTES)
    expect(Math.max(...lengths)).toBe(MAX_BINARY_FRAME_BYTES)
    expect([MIN_FRAME_BYTES, MAX_BINARY_FRAME_BYTES]).toEqual([56, 378])
  })

  it('returns canonical and mac as views into the input, not copies', () => {
    const frame = bytes(vectors[1]!.binaryHex)
    const result = decodeBinaryFrame(frame, DEFAULT_MAX_FRAME_BYTES)
    if (!result.ok) throw new Error(result.detail)
    expect(result.canonical.buffer).toBe(frame.buffer)
    expect(result.canonical.byteOffset).toBe(0)
    expect(result.frame.mac.buffer).toBe(frame.buffer)
    expect(result.frame.mac.byteOffset).toBe(frame.length - 32)
  })

  it('decodes a frame that sits at an offset inside a larger buffer', () => {
    const frame = bytes(vectors[1]!.binaryHex)
    const big = new Uint8Array(frame.length + 20)
    big.set(frame, 7)
    const result = decodeBinaryFrame(big.subarray(7, 7 + frame.length), DEFAULT_MAX_FRAME_BYTES)
    expect(result.ok && result.frame.peerId).toBe(vectors[1]!.fields.peerId)
    expect(result.ok && toHex(result.canonical)).toBe(toHex(frame.subarray(0, frame.length - 32)))
  })

  it('omits intervalMs on every type but hello', () => {
    for (const vector of vectors) {
      const result = decodeBinaryFrame(bytes(vector.binaryHex), DEFAULT_MAX_FRAME_BYTES)
      expect(result.ok && 'intervalMs' in result.frame).toBe(vector.fields.type === 'hello')
    }
  })

  it('has rttMs exactly on the beats that carry one', () => {
    for (const vector of vectors) {
      const result = decodeBinaryFrame(bytes(vector.binaryHex), DEFAULT_MAX_FRAME_BYTES)
      expect(result.ok && 'rttMs' in result.frame).toBe(vector.fields.rttMs !== undefined)
    }
  })

  it('covers a beat without rttMs and beats with one', () => {
    const beats = vectors.filter((vector) => vector.fields.type === 'beat')
    expect(beats.some((vector) => vector.fields.rttMs === undefined)).toBe(true)
    expect(beats.some((vector) => vector.fields.rttMs === 37)).toBe(true)
  })
})

describe('beat body (rttMs)', () => {
  /** The 4 body bytes of an encoded frame, in hex. */
  const bodyHex = (frame: Uint8Array): string => toHex(frame.subarray(frame.length - 36, frame.length - 32))

  it('writes 0xFFFFFFFF for a beat without rttMs and decodes it to no rttMs member', () => {
    const frame = encodeBinaryFrame(beat, mac)
    expect(bodyHex(frame)).toBe('ffffffff')
    const result = decodeBinaryFrame(frame, DEFAULT_MAX_FRAME_BYTES)
    expect(result.ok && result.frame).toStrictEqual({ ...beat, mac })
    expect(result.ok && 'rttMs' in result.frame).toBe(false)
  })

  it('treats rttMs: undefined as absent', () => {
    expect(toHex(encodeBinaryFrame({ ...beat, rttMs: undefined }, mac))).toBe(toHex(encodeBinaryFrame(beat, mac)))
  })

  it.each([
    [0, '00000000'],
    [1, '00000001'],
    [37, '00000025'],
    [0x1234_5678, '12345678'],
    [MAX_RTT_MS, 'fffffffe'],
  ])('rttMs %i is the u32 body %s and round-trips', (rttMs, hex) => {
    const fields: FrameFields = { ...beat, rttMs }
    const frame = encodeBinaryFrame(fields, mac)
    expect(bodyHex(frame)).toBe(hex)
    expect(decodeBinaryFrame(frame, DEFAULT_MAX_FRAME_BYTES)).toStrictEqual({
      ok: true,
      frame: { ...fields, mac },
      canonical: encodeCanonical(fields),
      encoding: 'binary',
    })
  })

  it('is under the canonical bytes, so under the mac', () => {
    const without = toHex(encodeCanonical(beat))
    const with37 = toHex(encodeCanonical({ ...beat, rttMs: 37 }))
    const with38 = toHex(encodeCanonical({ ...beat, rttMs: 38 }))
    expect(new Set([without, with37, with38]).size).toBe(3)
    expect(with37.length).toBe(without.length)
    expect(with37.slice(-8)).toBe('00000025')
  })

  it('makes a beat and an ack at least 60 bytes, while a bye stays at 56', () => {
    const shortest: FrameFields = { ...beat, peerId: 'x', keyId: '' }
    expect(encodeBinaryFrame(shortest, mac)).toHaveLength(60)
    expect(encodeBinaryFrame({ ...shortest, rttMs: 1 }, mac)).toHaveLength(60)
    expect(encodeBinaryFrame({ ...shortest, ackRequested: true }, mac)).toHaveLength(60)
    expect(encodeBinaryFrame({ ...shortest, type: 'ack', timeoutMs: 1 }, mac)).toHaveLength(60)
    expect(encodeBinaryFrame({ ...shortest, type: 'bye' }, mac)).toHaveLength(MIN_FRAME_BYTES)
  })

  it('fits the longest beat in MAX_BINARY_FRAME_BYTES', () => {
    const longest: FrameFields = { ...beat, peerId: 'p'.repeat(255), keyId: 'k'.repeat(64), rttMs: MAX_RTT_MS }
    const frame = encodeBinaryFrame(longest, mac)
    expect(frame).toHaveLength(MAX_BINARY_FRAME_BYTES)
    expect(decodeBinaryFrame(frame, MAX_BINARY_FRAME_BYTES)).toMatchObject({ ok: true, frame: longest })
  })

  it.each<[string, FrameFields]>([
    ['beat without rttMs', beat],
    ['beat with rttMs', { ...beat, rttMs: 37 }],
  ])('%s: a frame with the body cut off or doubled is malformed', (_name, fields) => {
    const frame = encodeBinaryFrame(fields, mac)
    const canonical = frame.subarray(0, frame.length - 32)
    const cut = new Uint8Array([...canonical.subarray(0, canonical.length - 4), ...mac])
    const doubled = new Uint8Array([...canonical, ...canonical.subarray(canonical.length - 4), ...mac])
    expect(decodeBinaryFrame(cut, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
    expect(decodeBinaryFrame(doubled, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
  })
})

describe('malformed binary input', () => {
  it.each(malformedVectors)('$name → $reason', (vector) => {
    const maxFrameBytes = vector.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    const result = decodeBinaryFrame(bytes(vector.hex), maxFrameBytes)
    expect(result).toMatchObject({ ok: false, reason: vector.reason })
    expect(!result.ok && result.detail).toContain(vector.detail)
  })

  it.each(malformedVectors)('decodeFrame: $name → $reason', (vector) => {
    const result = decodeFrame(bytes(vector.hex), vector.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES)
    expect(result).toMatchObject({ ok: false, reason: vector.reason })
  })

  it('accepts a frame exactly maxFrameBytes long', () => {
    const frame = encodeBinaryFrame(beat, mac)
    expect(decodeBinaryFrame(frame, frame.length).ok).toBe(true)
    expect(decodeFrame(frame, frame.length).ok).toBe(true)
  })
})

describe('encoding invalid fields', () => {
  const hello: FrameFields = { ...beat, type: 'hello', intervalMs: 1000 }
  const cases: Array<[string, FrameFields, string]> = [
    ['unknown type', { ...beat, type: 'ping' as FrameFields['type'] }, 'type'],
    ['empty peerId', { ...beat, peerId: '' }, 'peerId'],
    ['peerId of 256 bytes', { ...beat, peerId: 'a'.repeat(256) }, 'peerId'],
    ['peerId of 128 two-byte characters', { ...beat, peerId: 'é'.repeat(128) }, 'peerId'],
    ['peerId with a lone surrogate', { ...beat, peerId: 'a\ud800b' }, 'peerId'],
    ['peerId ending in a high surrogate', { ...beat, peerId: 'a\ud83d' }, 'peerId'],
    ['peerId not a string', { ...beat, peerId: 42 as unknown as string }, 'peerId'],
    ['keyId with a space', { ...beat, keyId: 'k 1' }, 'keyId'],
    ['keyId of 65 characters', { ...beat, keyId: 'k'.repeat(65) }, 'keyId'],
    ['keyId non-ASCII', { ...beat, keyId: 'ké' }, 'keyId'],
    ['negative incarnation', { ...beat, incarnation: -1 }, 'incarnation'],
    ['incarnation 2^48', { ...beat, incarnation: 2 ** 48 }, 'incarnation'],
    ['fractional seq', { ...beat, seq: 1.5 }, 'seq'],
    ['seq 2^32', { ...beat, seq: 2 ** 32 }, 'seq'],
    ['NaN timestampMs', { ...beat, timestampMs: Number.NaN }, 'timestampMs'],
    ['Infinity timestampMs', { ...beat, timestampMs: Infinity }, 'timestampMs'],
    ['hello without intervalMs', { ...beat, type: 'hello' }, 'intervalMs'],
    ['hello with intervalMs 0', { ...hello, intervalMs: 0 }, 'intervalMs'],
    ['hello with intervalMs 2^32', { ...hello, intervalMs: 2 ** 32 }, 'intervalMs'],
    ['beat with intervalMs', { ...beat, intervalMs: 1000 }, 'intervalMs'],
    ['hello with rttMs', { ...hello, rttMs: 5 }, 'rttMs'],
    ['ack with rttMs', { ...beat, type: 'ack', rttMs: 5 }, 'rttMs'],
    ['bye with rttMs 0', { ...beat, type: 'bye', rttMs: 0 }, 'rttMs'],
    ['beat with rttMs 2^32−1 (reserved for "not measured")', { ...beat, rttMs: 2 ** 32 - 1 }, 'rttMs'],
    ['beat with rttMs 2^32', { ...beat, rttMs: 2 ** 32 }, 'rttMs'],
    ['beat with negative rttMs', { ...beat, rttMs: -1 }, 'rttMs'],
    ['beat with fractional rttMs', { ...beat, rttMs: 1.5 }, 'rttMs'],
    ['beat with NaN rttMs', { ...beat, rttMs: Number.NaN }, 'rttMs'],
    ['beat with rttMs as a string', { ...beat, rttMs: '5' as unknown as number }, 'rttMs'],
  ]

  it.each(cases)('%s throws HB_ERR_MALFORMED naming the field', (_name, fields, field) => {
    for (const encode of [() => encodeCanonical(fields), () => encodeBinaryFrame(fields, mac)]) {
      let error: unknown
      try {
        encode()
      } catch (caught) {
        error = caught
      }
      expect(HeartbeatError.isInstance(error)).toBe(true)
      expect((error as HeartbeatError).code).toBe('HB_ERR_MALFORMED')
      expect((error as HeartbeatError).message).toContain(field)
    }
  })

  it.each([0, 31, 33])('a mac of %i bytes throws HB_ERR_MALFORMED naming mac', (length) => {
    expect(() => encodeBinaryFrame(beat, new Uint8Array(length))).toThrow(
      expect.objectContaining({ code: 'HB_ERR_MALFORMED', message: expect.stringContaining('mac') }),
    )
  })

  it('encodes the boundary values', () => {
    const edge: FrameFields = { ...hello, incarnation: 2 ** 48 - 1, seq: 2 ** 32 - 1, timestampMs: 0, intervalMs: 1 }
    const result = decodeBinaryFrame(encodeBinaryFrame(edge, mac), DEFAULT_MAX_FRAME_BYTES)
    expect(result.ok && result.frame).toStrictEqual({ ...edge, mac })
    for (const rttMs of [0, MAX_RTT_MS]) {
      const edgeBeat: FrameFields = { ...beat, incarnation: 2 ** 48 - 1, seq: 2 ** 32 - 1, timestampMs: 0, rttMs }
      const beatResult = decodeBinaryFrame(encodeBinaryFrame(edgeBeat, mac), DEFAULT_MAX_FRAME_BYTES)
      expect(beatResult.ok && beatResult.frame).toStrictEqual({ ...edgeBeat, mac })
    }
  })
})

describe('hex', () => {
  it('round-trips every byte value in lower case', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const hex = toHex(all)
    expect(hex).toMatch(/^[0-9a-f]{512}$/)
    expect(fromHex(hex)).toStrictEqual(all)
  })

  it.each(['0', 'AB', '0x00', 'zz', ' 00', '0g', 'é0'])('rejects %j', (hex) => {
    expect(fromHex(hex)).toBeUndefined()
  })
})
