/**
 * decodeJsonFrame reads text in encodeJsonFrame's exact layout with a direct
 * scan (decodeEncoderOrder) and everything else with JSON.parse
 * (decodeAnyOrder, the decoder as it was before the scan). These tests hold
 * the two to the same answers: the scan may only ever return a valid frame,
 * the very one JSON.parse gives, and decodeJsonFrame must answer every input,
 * valid or not, exactly as JSON.parse alone does.
 */
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_FRAME_BYTES } from '../src/wire/frame.js'
import { frameFieldsArbitrary } from './frame-arbitraries.js'
import { decodeAnyOrder, decodeEncoderOrder, decodeJsonFrame, encodeJsonFrame, jsonFrameBytes } from '../src/wire/json-codec.js'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { ignoreBOM: true })
const mac = new Uint8Array(32).map((_, i) => i * 7)
const vectors = JSON.parse(readFileSync(new URL('./fixtures/frames.json', import.meta.url), 'utf8')) as Array<{
  name: string
  json: string
}>

/** decodeJsonFrame answers `text` exactly as the JSON.parse path alone; the fast path, if it answers, too. */
function expectSameAsGeneral(text: string): void {
  const general = decodeAnyOrder(text)
  expect(decodeJsonFrame(text, DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(general)
  const fast = decodeEncoderOrder(text)
  if (fast !== undefined) {
    expect(fast.ok).toBe(true)
    expect(fast).toStrictEqual(general)
  }
  // As bytes: a lone surrogate becomes U+FFFD on the way, so compare with the text the bytes spell.
  const bytes = utf8.encode(text)
  expect(decodeJsonFrame(bytes, DEFAULT_MAX_FRAME_BYTES)).toStrictEqual(decodeAnyOrder(fromUtf8.decode(bytes)))
}

/** Whether encodeJsonFrame writes the frame's strings without escapes, the fast path's condition. */
function writtenPlain(text: string): boolean {
  const { id, kid } = JSON.parse(text) as { id: string; kid: string }
  return JSON.stringify(id) === `"${id}"` && JSON.stringify(kid) === `"${kid}"`
}

const frameFields = frameFieldsArbitrary({ maxPeerIdChars: 60, edges: true })

const macBytes = fc.uint8Array({ minLength: 32, maxLength: 32 })
const encoded = fc.tuple(frameFields, macBytes).map(([fields, bytes]) => encodeJsonFrame(fields, bytes))

// Characters that matter to JSON and to the scan, plus some that do not.
const interesting = fc.constantFrom(
  '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\t', '\n', '\r', '0', '1', '9', '.', 'e', 'E', '+', '-',
  'a', 'f', 'g', 'A', 'F', 'x', '\u0000', '\u001f', '\u007f', 'ü', '\u2028', '\ud800', '\udc00', '🙂', '\ufeff',
)

describe('the fast path reads what encodeJsonFrame writes', () => {
  it.each(vectors)('$name: the same frame as JSON.parse, through the fast path unless a string is escaped', (vector) => {
    const fast = decodeEncoderOrder(vector.json)
    expect(fast === undefined).toBe(!writtenPlain(vector.json))
    if (fast !== undefined) expect(fast).toStrictEqual(decodeAnyOrder(vector.json))
    expectSameAsGeneral(vector.json)
  })

  it('has vectors for both paths', () => {
    expect(vectors.some((vector) => writtenPlain(vector.json))).toBe(true)
    expect(vectors.some((vector) => !writtenPlain(vector.json))).toBe(true)
  })

  it('any valid frame without escapes: the fast path answers, with exactly the JSON.parse result', () => {
    fc.assert(
      fc.property(encoded, (text) => {
        const fast = decodeEncoderOrder(text)
        expect(fast === undefined).toBe(!writtenPlain(text))
        expect(decodeJsonFrame(text, DEFAULT_MAX_FRAME_BYTES)).toMatchObject({ ok: true })
        expectSameAsGeneral(text)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('decodeJsonFrame answers every input as the JSON.parse path does', () => {
  it('every truncation of a valid frame', () => {
    fc.assert(
      fc.property(encoded, (text) => {
        for (let end = 0; end < text.length; end++) expectSameAsGeneral(text.slice(0, end))
      }),
      { numRuns: 30 },
    )
  })

  it('a valid frame with a character inserted, deleted or replaced', () => {
    const edit = fc.tuple(encoded, fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), interesting)
    fc.assert(
      fc.property(edit, ([text, position, kind, character]) => {
        const at = position % (text.length + 1)
        const rest = kind === 'insert' ? text.slice(at) : text.slice(at + 1)
        expectSameAsGeneral(text.slice(0, at) + (kind === 'delete' ? '' : character) + rest)
      }),
      { numRuns: 3000 },
    )
  })

  it('a valid frame with several edits', () => {
    const edits = fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1), interesting), { minLength: 2, maxLength: 6 })
    fc.assert(
      fc.property(encoded, edits, (text, list) => {
        let edited = text
        for (const [position, remove, character] of list) {
          const at = position % (edited.length + 1)
          edited = edited.slice(0, at) + character + edited.slice(at + remove)
        }
        expectSameAsGeneral(edited)
      }),
      { numRuns: 1000 },
    )
  })

  it('members reordered, spaced out or escaped', () => {
    const variant = fc.tuple(encoded, fc.nat(), fc.constantFrom('shuffle', 'space', 'escape', 'pretty'))
    fc.assert(
      fc.property(variant, ([text, seed, kind]) => {
        const object = JSON.parse(text) as Record<string, unknown>
        let changed: string
        if (kind === 'shuffle') {
          const entries = Object.entries(object)
          const [moved] = entries.splice(seed % entries.length, 1)
          entries.splice(seed % (entries.length + 1), 0, moved!)
          changed = JSON.stringify(Object.fromEntries(entries))
        } else if (kind === 'space') {
          const at = text.indexOf(',', seed % text.length)
          changed = at < 0 ? ` ${text}` : `${text.slice(0, at)} ${text.slice(at)}`
        } else if (kind === 'escape') {
          // The same id, one character written as a \u escape: still valid, but not the fast path's.
          const id = object.id as string
          const code = id.charCodeAt(seed % id.length).toString(16).padStart(4, '0')
          const escaped = JSON.stringify(id).replace(id.charAt(seed % id.length), `\\u${code}`)
          changed = text.replace(JSON.stringify(id), escaped)
        } else {
          changed = JSON.stringify(object, null, 2)
        }
        expectSameAsGeneral(changed)
      }),
      { numRuns: 500 },
    )
  })

  const beat = encodeJsonFrame({ type: 'beat', peerId: 'peer-1', keyId: 'k1', incarnation: 7, seq: 2, timestampMs: 3 }, mac)
  const hello = encodeJsonFrame({ type: 'hello', peerId: 'peer-1', keyId: '', incarnation: 7, seq: 0, timestampMs: 3, intervalMs: 250 }, mac)
  const macHex = beat.slice(beat.indexOf('"mac":"') + 7, -2)

  it.each<[string, string]>([
    ['the reference beat', beat],
    ['the reference hello', hello],
    ['a leading zero', beat.replace('"seq":2', '"seq":02')],
    ['zero', beat.replace('"seq":2', '"seq":0')],
    ['a fraction', beat.replace('"seq":2', '"seq":2.0')],
    ['an exponent', beat.replace('"seq":2', '"seq":2e0')],
    ['a negative zero', beat.replace('"seq":2', '"seq":-0')],
    ['a plus sign', beat.replace('"seq":2', '"seq":+2')],
    ['seq 2^32', beat.replace('"seq":2', `"seq":${2 ** 32}`)],
    ['inc 2^48', beat.replace('"inc":7', `"inc":${2 ** 48}`)],
    ['inc 2^48−1', beat.replace('"inc":7', `"inc":${2 ** 48 - 1}`)],
    ['16 digits', beat.replace('"inc":7', '"inc":1000000000000000')],
    ['16 digits of zeros', beat.replace('"inc":7', '"inc":0000000000000000')],
    ['a number over 2^53', beat.replace('"ts":3', '"ts":9007199254740993')],
    ['rtt', beat.replace('"ts":3', '"ts":3,"rtt":37')],
    ['rtt 2^32−1 (reserved)', beat.replace('"ts":3', `"ts":3,"rtt":${2 ** 32 - 1}`)],
    ['interval on a beat', beat.replace('"ts":3', '"ts":3,"interval":5')],
    ['rtt and interval', beat.replace('"ts":3', '"ts":3,"rtt":1,"interval":5')],
    ['rtt on a hello', hello.replace('"interval":250', '"rtt":250')],
    ['interval 0', hello.replace('"interval":250', '"interval":0')],
    ['a hello without interval', hello.replace(',"interval":250', '')],
    ['an ack', beat.replace('"beat"', '"ack"')],
    ['a bye with rtt', beat.replace('"beat"', '"bye"').replace('"ts":3', '"ts":3,"rtt":1')],
    ['an unknown type', beat.replace('"beat"', '"beats"')],
    ['a type prefix', beat.replace('"beat"', '"be"')],
    ['v 2', beat.replace('"v":1', '"v":2')],
    ['an empty id', beat.replace('"peer-1"', '""')],
    ['an id with a quote', beat.replace('"peer-1"', '"pe\\"er"')],
    ['an id with a raw control character', beat.replace('"peer-1"', '"pe\u0001er"')],
    ['an id with an escaped control character', beat.replace('"peer-1"', '"pe\\u0001er"')],
    ['an id with a lone surrogate', beat.replace('"peer-1"', '"pe\ud800er"')],
    ['an id of 256 bytes', beat.replace('"peer-1"', `"${'ü'.repeat(128)}"`)],
    ['an id of 255 bytes', beat.replace('"peer-1"', `"${'ü'.repeat(127)}a"`)],
    ['a kid with a space', beat.replace('"k1"', '"k 1"')],
    ['a kid of 65 characters', beat.replace('"k1"', `"${'k'.repeat(65)}"`)],
    ['a mac in upper case', beat.replace(macHex, macHex.toUpperCase())],
    ['a mac one digit short', beat.replace(macHex, macHex.slice(1))],
    ['a mac one digit long', beat.replace(macHex, macHex + '0')],
    ['a mac with a non-hex digit', beat.replace(macHex, 'g' + macHex.slice(1))],
    ['a repeated member', beat.replace('"ts":3', '"ts":3,"seq":5')],
    ['a repeated member first', beat.replace('{"v":1', '{"v":1,"v":1')],
    ['an extra member', beat.replace('"ts":3', '"ts":3,"x":1')],
    ['trailing whitespace', beat + ' '],
    ['trailing text', beat + 'x'],
    ['two frames', beat + beat],
    ['a leading BOM', '\ufeff' + beat],
    ['an unterminated id', '{"v":1,"type":"beat","id":"peer-1'],
    ['an unterminated number', '{"v":1,"type":"beat","id":"p","kid":"","inc":1'],
  ])('%s', (_name, text) => {
    expectSameAsGeneral(text)
  })

  it('any bytes that start like a frame: no throw, same answer', () => {
    const start = '{"v":1,"type":"beat","id":"'
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const bytes = new Uint8Array([...utf8.encode(start), ...tail])
        const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes)
        const result = decodeJsonFrame(bytes, DEFAULT_MAX_FRAME_BYTES)
        if (result.ok || result.detail !== 'not valid UTF-8') expect(result).toStrictEqual(decodeAnyOrder(text))
      }),
      { numRuns: 1000 },
    )
  })
})

describe('jsonFrameBytes', () => {
  it('is the UTF-8 of the text, ASCII or not, short or long', () => {
    fc.assert(
      fc.property(fc.oneof(encoded, fc.string({ unit: 'grapheme', maxLength: 700 }), fc.string({ maxLength: 700 })), (text) => {
        expect(Array.from(jsonFrameBytes(text))).toStrictEqual(Array.from(utf8.encode(text)))
      }),
    )
  })
})
