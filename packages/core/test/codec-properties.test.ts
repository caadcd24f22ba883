import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBinaryFrame, encodeBinaryFrame, encodeCanonical } from '../src/wire/binary-codec.js'
import { decodeFrame } from '../src/wire/decode-frame.js'
import type { DecodeResult, FrameFields } from '../src/wire/frame.js'
import { DEFAULT_MAX_FRAME_BYTES, MAX_U32 } from '../src/wire/frame.js'
import { frameFieldsArbitrary } from './frame-arbitraries.js'
import { decodeJsonFrame, encodeJsonFrame } from '../src/wire/json-codec.js'

const utf8 = new TextEncoder()

function expectWellFormed(result: DecodeResult): void {
  if (result.ok) {
    expect(result.frame.mac).toHaveLength(32)
    expect(['binary', 'json']).toContain(result.encoding)
  } else {
    expect(['malformed', 'too-large']).toContain(result.reason)
    expect(typeof result.detail).toBe('string')
  }
}

const maxFrameBytes = fc.oneof(fc.constant(DEFAULT_MAX_FRAME_BYTES), fc.integer({ min: 0, max: 500 }))

const frameFields = frameFieldsArbitrary()

const mac = fc.uint8Array({ minLength: 32, maxLength: 32 })

describe('decoders never throw', () => {
  it('on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), maxFrameBytes, (bytes, max) => {
        expectWellFormed(decodeFrame(bytes, max))
        expectWellFormed(decodeBinaryFrame(bytes, max))
        expectWellFormed(decodeJsonFrame(bytes, max))
      }),
      { numRuns: 1000 },
    )
  })

  it('on bytes that start like a binary frame', () => {
    const header = fc.tuple(
      fc.constantFrom(0, 1, 2, 3, 4, 5),
      fc.integer({ min: 0, max: 70 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ maxLength: 400 }),
    )
    fc.assert(
      fc.property(header, ([type, keyLength, counters, rest]) => {
        const bytes = new Uint8Array([0x68, 0x62, 1, type, ...counters, keyLength, ...rest])
        expectWellFormed(decodeFrame(bytes, DEFAULT_MAX_FRAME_BYTES))
        expectWellFormed(decodeBinaryFrame(bytes, DEFAULT_MAX_FRAME_BYTES))
      }),
      { numRuns: 1000 },
    )
  })

  it('on any string, as a string and as UTF-8', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), fc.string()), maxFrameBytes, (text, max) => {
        const bytes = utf8.encode(text)
        expectWellFormed(decodeJsonFrame(text, max))
        expectWellFormed(decodeJsonFrame(bytes, max))
        expectWellFormed(decodeFrame(bytes, max))
      }),
      { numRuns: 800 },
    )
  })

  it('on JSON objects close to a frame', () => {
    const value = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.boolean(), fc.constant(-0))
    const member = fc.constantFrom('v', 'type', 'id', 'kid', 'inc', 'seq', 'ts', 'interval', 'rtt', 'mac', 'x')
    fc.assert(
      fc.property(frameFields, mac, fc.dictionary(member, value, { maxKeys: 3 }), (fields, macBytes, changes) => {
        const object = { ...JSON.parse(encodeJsonFrame(fields, macBytes)), ...changes }
        expectWellFormed(decodeJsonFrame(JSON.stringify(object), DEFAULT_MAX_FRAME_BYTES))
      }),
      { numRuns: 500 },
    )
  })
})

describe('valid frames round-trip', () => {
  it('through the binary encoding', () => {
    fc.assert(
      fc.property(frameFields, mac, (fields, macBytes) => {
        const bytes = encodeBinaryFrame(fields, macBytes)
        const result = decodeFrame(bytes, DEFAULT_MAX_FRAME_BYTES)
        expect(result).toStrictEqual({
          ok: true,
          frame: { ...fields, mac: macBytes },
          canonical: encodeCanonical(fields),
          encoding: 'binary',
        })
      }),
      { numRuns: 500 },
    )
  })

  it('through the JSON encoding, with the same canonical bytes as binary', () => {
    fc.assert(
      fc.property(frameFields, mac, (fields, macBytes) => {
        const text = encodeJsonFrame(fields, macBytes)
        const expected = { ok: true, frame: { ...fields, mac: macBytes }, canonical: encodeCanonical(fields), encoding: 'json' }
        expect(decodeJsonFrame(text, DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(expected)
        expect(decodeFrame(utf8.encode(text), DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(expected)
        const binary = decodeBinaryFrame(encodeBinaryFrame(fields, macBytes), DEFAULT_MAX_FRAME_BYTES)
        expect(binary.ok && binary.canonical).toStrictEqual(expected.canonical)
      }),
      { numRuns: 500 },
    )
  })

  it('from binary to JSON and back: every u32 in a beat body decodes, 0xFFFFFFFF as no rttMs', () => {
    const body = fc.oneof(fc.constant(MAX_U32), fc.integer({ min: 0, max: MAX_U32 }))
    const beat = frameFields.map((fields): FrameFields => {
      const { intervalMs: _interval, rttMs: _rtt, timeoutMs: _timeout, clockCorrection: _correction, ...header } = fields
      return { ...header, type: 'beat' }
    })
    fc.assert(
      fc.property(beat, body, mac, (fields, value, macBytes) => {
        const bytes = encodeBinaryFrame(fields, macBytes)
        const at = bytes.length - 36
        bytes.set([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff], at)
        const binary = decodeBinaryFrame(bytes, DEFAULT_MAX_FRAME_BYTES)
        if (!binary.ok) throw new Error(binary.detail)
        expect(binary.frame).toStrictEqual(
          value === MAX_U32 ? { ...fields, mac: macBytes } : { ...fields, rttMs: value, mac: macBytes },
        )
        const json = decodeJsonFrame(encodeJsonFrame(binary.frame, binary.frame.mac), DEFAULT_MAX_FRAME_BYTES)
        expect(json.ok && json.canonical).toStrictEqual(binary.canonical)
      }),
      { numRuns: 500 },
    )
  })
})

describe('damaged binary frames', () => {
  it('never throw when a bit is flipped', () => {
    fc.assert(
      fc.property(frameFields, mac, fc.nat(), fc.integer({ min: 0, max: 7 }), (fields, macBytes, index, bit) => {
        const bytes = encodeBinaryFrame(fields, macBytes)
        bytes[index % bytes.length]! ^= 1 << bit
        expectWellFormed(decodeFrame(bytes, DEFAULT_MAX_FRAME_BYTES))
        expectWellFormed(decodeBinaryFrame(bytes, DEFAULT_MAX_FRAME_BYTES))
      }),
      { numRuns: 800 },
    )
  })

  it('never throw, and are always rejected, when truncated or extended', () => {
    fc.assert(
      fc.property(frameFields, mac, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (fields, macBytes, cut, extra) => {
        const bytes = encodeBinaryFrame(fields, macBytes)
        const truncated = bytes.subarray(0, cut % bytes.length)
        const extended = new Uint8Array([...bytes, ...extra])
        for (const damaged of [truncated, extended]) {
          expect(decodeFrame(damaged, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
          expect(decodeBinaryFrame(damaged, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
        }
      }),
      { numRuns: 500 },
    )
  })
})
