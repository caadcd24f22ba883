import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeBinaryFrame, encodeBinaryFrame, encodeCanonical } from '../src/wire/binary-codec.js'
import { decodeFrame } from '../src/wire/decode-frame.js'
import { HeartbeatError } from '../src/errors/heartbeat-error.js'
import type { FrameFields } from '../src/wire/frame.js'
import { DEFAULT_MAX_FRAME_BYTES, MAX_KEY_ID_BYTES, MAX_PEER_ID_BYTES, MAX_RTT_MS } from '../src/wire/frame.js'
import { fromHex, toHex } from '../src/wire/hex.js'
import { decodeJsonFrame, encodeJsonFrame } from '../src/wire/json-codec.js'

interface FrameVector {
  name: string
  fields: FrameFields
  macHex: string
  binaryHex: string
  json: string
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/frames.json', import.meta.url), 'utf8'),
) as FrameVector[]

function bytes(hex: string): Uint8Array {
  const out = fromHex(hex)
  if (out === undefined) throw new Error(`bad hex in fixture: ${hex}`)
  return out
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
const macHex = '00'.repeat(16) + 'ab'.repeat(16)
const mac = bytes(macHex)

describe('JSON frame vectors', () => {
  it.each(vectors)('$name: encodes to the exact text', (vector) => {
    expect(encodeJsonFrame(vector.fields, bytes(vector.macHex))).toBe(vector.json)
  })

  it.each(vectors)('$name: decodes (string and bytes) to the fields and the binary canonical bytes', (vector) => {
    const binary = bytes(vector.binaryHex)
    const expected = {
      ok: true,
      frame: { ...vector.fields, mac: bytes(vector.macHex) },
      canonical: binary.subarray(0, binary.length - 32),
      encoding: 'json',
    }
    expect(decodeJsonFrame(vector.json, DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(expected)
    expect(decodeJsonFrame(utf8(vector.json), DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(expected)
    expect(decodeFrame(utf8(vector.json), DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(expected)
  })

  it.each(vectors)('$name: canonical bytes equal encodeCanonical and the binary frame prefix', (vector) => {
    const result = decodeJsonFrame(vector.json, DEFAULT_MAX_FRAME_BYTES)
    if (!result.ok) throw new Error(result.detail)
    const binary = encodeBinaryFrame(vector.fields, bytes(vector.macHex))
    expect(toHex(result.canonical)).toBe(toHex(encodeCanonical(vector.fields)))
    expect(toHex(result.canonical)).toBe(toHex(binary.subarray(0, binary.length - 32)))
  })

  it('ignores member order and whitespace', () => {
    const text = ' \n\t{ "mac" : "' + macHex + '", "ts": 3, "seq": 2, "inc": 1, "kid": "", "id": "p", "type": "bye", "v": 2 }\r\n'
    const result = decodeFrame(utf8(text), DEFAULT_MAX_FRAME_BYTES)
    expect(result.ok && result.frame).toStrictEqual({
      type: 'bye',
      peerId: 'p',
      keyId: '',
      incarnation: 1,
      seq: 2,
      timestampMs: 3,
      mac,
    })
  })

  it('fits the longest possible JSON frame, escapes and all, in DEFAULT_MAX_FRAME_BYTES', () => {
    // Control characters take six bytes each once escaped (\u0001), `"` two.
    const header = {
      peerId: '\u0001'.repeat(MAX_PEER_ID_BYTES),
      keyId: '"'.repeat(MAX_KEY_ID_BYTES),
      incarnation: 2 ** 48 - 1,
      seq: 2 ** 32 - 1,
      timestampMs: 2 ** 48 - 1,
    }
    const longest: FrameFields[] = [
      { ...header, type: 'hello', intervalMs: 2 ** 32 - 1 },
      { ...header, type: 'beat', rttMs: MAX_RTT_MS },
    ]
    for (const fields of longest) {
      const text = encodeJsonFrame(fields, mac)
      expect(utf8(text).length).toBeLessThanOrEqual(DEFAULT_MAX_FRAME_BYTES)
      expect(decodeJsonFrame(text, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: true, frame: fields })
    }
  })

  it('covers a beat without rtt and a beat with one', () => {
    const beats = vectors.filter((vector) => vector.fields.type === 'beat')
    expect(beats.some((vector) => !vector.json.includes('"rtt"'))).toBe(true)
    expect(beats.some((vector) => vector.json.includes('"rtt":37,'))).toBe(true)
  })
})

describe('JSON rtt', () => {
  const beat: FrameFields = { type: 'beat', peerId: 'peer-1', keyId: 'k1', incarnation: 1, seq: 2, timestampMs: 3 }

  it('a beat with rtt has the same canonical bytes as the binary beat with that rttMs', () => {
    const fields: FrameFields = { ...beat, rttMs: 37 }
    const json = decodeJsonFrame(encodeJsonFrame(fields, mac), DEFAULT_MAX_FRAME_BYTES)
    const binary = decodeBinaryFrame(encodeBinaryFrame(fields, mac), DEFAULT_MAX_FRAME_BYTES)
    if (!json.ok || !binary.ok) throw new Error('a valid beat did not decode')
    expect(toHex(json.canonical)).toBe(toHex(binary.canonical))
    expect(json.frame).toStrictEqual(binary.frame)
    expect(json.frame.rttMs).toBe(37)
  })

  it('a beat without rtt has the same canonical bytes as the binary beat with body FFFFFFFF', () => {
    const json = decodeJsonFrame(encodeJsonFrame(beat, mac), DEFAULT_MAX_FRAME_BYTES)
    const binary = decodeBinaryFrame(encodeBinaryFrame(beat, mac), DEFAULT_MAX_FRAME_BYTES)
    if (!json.ok || !binary.ok) throw new Error('a valid beat did not decode')
    expect(toHex(json.canonical)).toBe(toHex(binary.canonical))
    expect(toHex(json.canonical).slice(-8)).toBe('ffffffff')
    expect('rttMs' in json.frame).toBe(false)
  })

  it('puts rtt under the mac: a different rtt, or none, changes the canonical bytes', () => {
    const canonical = (text: string): string => {
      const result = decodeJsonFrame(text, DEFAULT_MAX_FRAME_BYTES)
      if (!result.ok) throw new Error(result.detail)
      return toHex(result.canonical)
    }
    const object = { v: 2, type: 'beat', id: 'peer-1', kid: 'k1', inc: 1, seq: 2, ts: 3, mac: macHex }
    const variants = [object, { ...object, rtt: 37 }, { ...object, rtt: 38 }, { ...object, rtt: 0 }]
    expect(new Set(variants.map((value) => canonical(JSON.stringify(value)))).size).toBe(variants.length)
  })

  it('encodes rtt right after ts, and only when rttMs is present', () => {
    const tail = `"mac":"${macHex}"}`
    expect(encodeJsonFrame({ ...beat, rttMs: 37 }, mac)).toBe(
      `{"v":2,"type":"beat","id":"peer-1","kid":"k1","inc":1,"seq":2,"ts":3,"rtt":37,${tail}`,
    )
    expect(encodeJsonFrame({ ...beat, rttMs: 0 }, mac)).toBe(
      `{"v":2,"type":"beat","id":"peer-1","kid":"k1","inc":1,"seq":2,"ts":3,"rtt":0,${tail}`,
    )
    expect(encodeJsonFrame(beat, mac)).toBe(`{"v":2,"type":"beat","id":"peer-1","kid":"k1","inc":1,"seq":2,"ts":3,${tail}`)
    expect(encodeJsonFrame({ ...beat, rttMs: undefined }, mac)).toBe(encodeJsonFrame(beat, mac))
  })
})

describe('JSON strictness', () => {
  const valid = {
    v: 2,
    type: 'hello',
    id: 'peer-1',
    kid: 'k1',
    inc: 1732233600000,
    seq: 0,
    ts: 1732233600123,
    interval: 250,
    mac: macHex,
  }
  const beat = { v: 2, type: 'beat', id: 'peer-1', kid: 'k1', inc: 1, seq: 2, ts: 3, mac: macHex }
  const without = (object: Record<string, unknown>, name: string) =>
    Object.fromEntries(Object.entries(object).filter(([key]) => key !== name))

  it('accepts the reference objects', () => {
    expect(decodeJsonFrame(JSON.stringify(valid), DEFAULT_MAX_FRAME_BYTES).ok).toBe(true)
    expect(decodeJsonFrame(JSON.stringify(beat), DEFAULT_MAX_FRAME_BYTES).ok).toBe(true)
  })

  it.each([0, 37, MAX_RTT_MS])('accepts a beat with rtt %i (9 members)', (rtt) => {
    const result = decodeJsonFrame(JSON.stringify({ ...beat, rtt }), DEFAULT_MAX_FRAME_BYTES)
    expect(result.ok && result.frame.rttMs).toBe(rtt)
  })

  const objectCases: Array<[string, unknown]> = [
    ['an extra member', { ...valid, extra: true }],
    ['an extra member on a beat', { ...beat, extra: 5 }],
    ['an extra member on a beat with rtt', { ...beat, rtt: 5, extra: 5 }],
    ['an extra member in place of rtt', { ...beat, rttMs: 5 }],
    ['a __proto__ member', JSON.parse(JSON.stringify(beat).replace('{', '{"__proto__":{},'))],
    ...(['v', 'type', 'id', 'kid', 'inc', 'seq', 'ts', 'interval', 'mac'].map((name) => [
      `missing ${name}`,
      without(valid, name),
    ]) as Array<[string, unknown]>),
    ['v 1 (before acks on demand)', { ...valid, v: 1 }],
    ['v 3', { ...valid, v: 3 }],
    ['v "2"', { ...valid, v: '2' }],
    ['flags 0 (absent is the one spelling of no flag)', { ...valid, flags: 0 }],
    ['flags 2 on a hello (clock-correction is for acks)', { ...valid, flags: 2 }],
    ['flags 4 (an unknown bit)', { ...beat, flags: 4 }],
    ['flags as a boolean', { ...beat, flags: true }],
    ['an ack without timeout', { ...beat, type: 'ack' }],
    ['an ack with timeout 0', { ...beat, type: 'ack', timeout: 0 }],
    ['an ack with the ack-requested flag', { ...beat, type: 'ack', timeout: 1000, flags: 1 }],
    ['timeout on a beat', { ...beat, timeout: 1000 }],
    ['unknown type', { ...valid, type: 'ping' }],
    ['type as its code', { ...valid, type: 1 }],
    ['id a number', { ...valid, id: 1 }],
    ['id empty', { ...valid, id: '' }],
    ['id of 256 bytes', { ...valid, id: 'ü'.repeat(128) }],
    ['id with a lone surrogate', { ...valid, id: 'a\ud800' }],
    ['kid null', { ...valid, kid: null }],
    ['kid with a space', { ...valid, kid: 'k 1' }],
    ['kid of 65 characters', { ...valid, kid: 'k'.repeat(65) }],
    ['inc a string', { ...valid, inc: '1' }],
    ['seq a float', { ...valid, seq: 1.5 }],
    ['seq negative', { ...valid, seq: -1 }],
    ['seq 2^32', { ...valid, seq: 2 ** 32 }],
    ['inc 2^48', { ...valid, inc: 2 ** 48 }],
    ['ts negative', { ...valid, ts: -1 }],
    ['ts 2^48', { ...valid, ts: 2 ** 48 }],
    ['ts a boolean', { ...valid, ts: true }],
    ['interval 0', { ...valid, interval: 0 }],
    ['interval a float', { ...valid, interval: 0.5 }],
    ['interval a string', { ...valid, interval: '250' }],
    ['interval null', { ...valid, interval: null }],
    ['interval on a beat', { ...beat, interval: 250 }],
    ['interval on an ack', { ...beat, type: 'ack', interval: 250 }],
    ['interval and rtt on a beat', { ...beat, interval: 250, rtt: 5 }],
    ['rtt on a hello', { ...valid, rtt: 5 }],
    ['rtt on an ack', { ...beat, type: 'ack', rtt: 5 }],
    ['rtt on a bye', { ...beat, type: 'bye', rtt: 0 }],
    ['rtt 2^32−1 (reserved: "not measured" in binary)', { ...beat, rtt: 2 ** 32 - 1 }],
    ['rtt 2^32', { ...beat, rtt: 2 ** 32 }],
    ['rtt negative', { ...beat, rtt: -1 }],
    ['rtt a float', { ...beat, rtt: 1.5 }],
    ['rtt a string', { ...beat, rtt: '37' }],
    ['rtt null', { ...beat, rtt: null }],
    ['rtt a boolean', { ...beat, rtt: true }],
    ['mac in upper case', { ...valid, mac: macHex.toUpperCase() }],
    ['mac of 62 digits', { ...valid, mac: macHex.slice(2) }],
    ['mac of 66 digits', { ...valid, mac: macHex + '00' }],
    ['mac with a non-hex digit', { ...valid, mac: 'g' + macHex.slice(1) }],
    ['mac as an array of bytes', { ...valid, mac: Array.from(mac) }],
    ['mac with 0x', { ...valid, mac: '0x' + macHex.slice(2) }],
    ['an array', [valid]],
    ['a string', 'hello'],
    ['a number', 1],
    ['null', null],
    ['true', true],
  ]

  it.each(objectCases)('rejects %s as malformed', (_name, value) => {
    const text = JSON.stringify(value)
    for (const input of [text, utf8(text)]) {
      expect(decodeJsonFrame(input, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
    }
  })

  const textCases: Array<[string, string]> = [
    ['a float written with a fraction', JSON.stringify(valid).replace('"seq":0', '"seq":0.5')],
    ['rtt written as a fraction', JSON.stringify(beat).replace('"ts":3', '"ts":3,"rtt":37.5')],
    ['rtt too big for a double', JSON.stringify(beat).replace('"ts":3', '"ts":3,"rtt":1e400')],
    ['a number too big for a double', JSON.stringify(valid).replace('"seq":0', '"seq":1e400')],
    ['empty input', ''],
    ['whitespace only', '  \n'],
    ['truncated JSON', JSON.stringify(valid).slice(0, -1)],
    ['two objects', JSON.stringify(valid) + JSON.stringify(valid)],
    ['a trailing comma', JSON.stringify(valid).replace(/}$/, ',}')],
    ['single quotes', JSON.stringify(valid).replaceAll('"', "'")],
    ['a leading BOM', '\ufeff' + JSON.stringify(valid)],
    ['deep nesting within the size limit', '['.repeat(1000) + ']'.repeat(1000)],
    ['deep object nesting within the size limit', '{"a":'.repeat(300) + '1' + '}'.repeat(300)],
  ]

  it.each(textCases)('rejects %s as malformed without throwing', (_name, text) => {
    expect(decodeJsonFrame(text, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
    expect(decodeJsonFrame(utf8(text), DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('does not throw on nesting far deeper than any recursive parser would survive', () => {
    const depth = 200_000
    const text = '['.repeat(depth) + ']'.repeat(depth)
    expect(decodeJsonFrame(text, 2 * depth)).toMatchObject({ ok: false, reason: 'malformed' })
    expect(decodeFrame(utf8('{"a":' + text + '}'), 2 * depth + 10)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('reads JSON numbers as JSON does: 1.0 and 1e3 are integers, -0 is 0', () => {
    const text = JSON.stringify(valid).replace('"seq":0', '"seq":-0').replace('"interval":250', '"interval":2.5e2')
    const result = decodeJsonFrame(text.replace('"inc":1732233600000', '"inc":1.0'), DEFAULT_MAX_FRAME_BYTES)
    expect(result.ok && [result.frame.incarnation, result.frame.seq, result.frame.intervalMs]).toStrictEqual([1, 0, 250])
    for (const [written, rttMs] of [['-0', 0], ['3.7e1', 37], ['37.0', 37]] as const) {
      const beatText = JSON.stringify(beat).replace('"ts":3', `"ts":3,"rtt":${written}`)
      const beatResult = decodeJsonFrame(beatText, DEFAULT_MAX_FRAME_BYTES)
      expect(beatResult.ok && beatResult.frame.rttMs).toBe(rttMs)
      expect(beatResult.ok && Object.is(beatResult.frame.rttMs, 0)).toBe(rttMs === 0)
    }
  })

  it('rejects bytes that are not UTF-8 as malformed', () => {
    const text = utf8(JSON.stringify(beat))
    const broken = new Uint8Array([...text.subarray(0, 30), 0xff, ...text.subarray(30)])
    expect(decodeJsonFrame(broken, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('never quotes the input in a detail', () => {
    const secretish = JSON.stringify({ ...valid, id: 'SECRET-VALUE' }).replace('"v":1', '"v":2,')
    const result = decodeJsonFrame(secretish, DEFAULT_MAX_FRAME_BYTES)
    expect(!result.ok && result.detail).not.toContain('SECRET')
  })
})

describe('JSON size limit', () => {
  const text = JSON.stringify({ v: 2, type: 'beat', id: 'ü', kid: '', inc: 1, seq: 2, ts: 3, mac: macHex })
  const length = utf8(text).length

  it('is measured in UTF-8 bytes, for strings and bytes alike', () => {
    expect(text.length).toBe(length - 1)
    for (const input of [text, utf8(text)]) {
      expect(decodeJsonFrame(input, length).ok).toBe(true)
      expect(decodeJsonFrame(input, length - 1)).toMatchObject({ ok: false, reason: 'too-large' })
    }
    expect(decodeFrame(utf8(text), length - 1)).toMatchObject({ ok: false, reason: 'too-large' })
  })

  it('counts a surrogate pair as 4 bytes and a lone surrogate as 3', () => {
    expect(decodeJsonFrame('"🙂"', 6)).toMatchObject({ reason: 'malformed' })
    expect(decodeJsonFrame('"🙂"', 5)).toMatchObject({ reason: 'too-large' })
    expect(decodeJsonFrame('"\ud800"', 5)).toMatchObject({ reason: 'malformed' })
    expect(decodeJsonFrame('"\ud800"', 4)).toMatchObject({ reason: 'too-large' })
  })

  it('rejects a huge input as too-large before parsing it', () => {
    const huge = '{"a":"' + 'x'.repeat(5_000_000) + '"}'
    expect(decodeJsonFrame(huge, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'too-large' })
  })
})

describe('encodeJsonFrame', () => {
  const fields: FrameFields = { type: 'beat', peerId: 'p', keyId: '', incarnation: 1, seq: 2, timestampMs: 3 }

  it.each<[string, FrameFields, Uint8Array, string]>([
    ['hello without intervalMs', { ...fields, type: 'hello' }, mac, 'intervalMs'],
    ['beat with intervalMs', { ...fields, intervalMs: 5 }, mac, 'intervalMs'],
    ['hello with rttMs', { ...fields, type: 'hello', intervalMs: 5, rttMs: 5 }, mac, 'rttMs'],
    ['ack with rttMs', { ...fields, type: 'ack', rttMs: 5 }, mac, 'rttMs'],
    ['bye with rttMs', { ...fields, type: 'bye', rttMs: 5 }, mac, 'rttMs'],
    ['beat with rttMs 2^32−1', { ...fields, rttMs: 2 ** 32 - 1 }, mac, 'rttMs'],
    ['beat with negative rttMs', { ...fields, rttMs: -1 }, mac, 'rttMs'],
    ['beat with fractional rttMs', { ...fields, rttMs: 0.5 }, mac, 'rttMs'],
    ['empty peerId', { ...fields, peerId: '' }, mac, 'peerId'],
    ['float seq', { ...fields, seq: 0.5 }, mac, 'seq'],
    ['short mac', fields, mac.subarray(1), 'mac'],
  ])('%s throws HB_ERR_MALFORMED naming the field', (_name, badFields, badMac, field) => {
    let error: unknown
    try {
      encodeJsonFrame(badFields, badMac)
    } catch (caught) {
      error = caught
    }
    expect(HeartbeatError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: 'HB_ERR_MALFORMED', message: expect.stringContaining(field) })
  })
})

describe('decodeFrame dispatch', () => {
  it.each<[string, string]>([
    ['plain text', 'hello'],
    ['a JSON array', '[1]'],
    ['a JSON string', '"{"'],
    ['whitespace then text', '  x{'],
  ])('rejects %s as malformed', (_name, text) => {
    expect(decodeFrame(utf8(text), DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('sends a binary frame to the binary decoder and JSON to the JSON decoder', () => {
    const vector = vectors[0]!
    expect(decodeFrame(bytes(vector.binaryHex), DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: true, encoding: 'binary' })
    expect(decodeFrame(utf8(vector.json), DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: true, encoding: 'json' })
  })
})
