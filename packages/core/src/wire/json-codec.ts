/**
 * The JSON encoding (PROTOCOL.md §3), for HTTP bodies and WebSocket text.
 *
 * The MAC is never computed over JSON text: a decoded JSON frame carries the
 * canonical bytes of §4, identical to the binary frame with the same fields,
 * so member order and whitespace cannot matter and a frame can change
 * encoding without being signed again.
 */
import { encodeCanonical } from './binary-codec.js'
import { allowedFlags, checkFrameFields, FLAG_ACK_REQUESTED, FLAG_ADAPTIVE_INTERVAL, FLAG_CLOCK_CORRECTION, flagsOf, isFrameType, MAC_BYTES, PROTOCOL_VERSION } from './frame.js'
import type { DecodeResult, Frame, FrameFields, FrameType } from './frame.js'
import { HeartbeatError } from '../errors/heartbeat-error.js'
import { allocFrame } from './frame-slab.js'
import { fromHex } from './hex.js'
import { latin1 } from './latin1.js'

const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Members of every frame; a hello also has `interval`, an ack `timeout`, a beat may have `rtt`, any may have `flags`. */
const BASE_MEMBER_COUNT = 8

/**
 * One JSON frame, members in the order of PROTOCOL.md §3, no whitespace.
 *
 * @throws HeartbeatError `HB_ERR_MALFORMED` naming the first invalid field, or
 *   `mac` if it is not 32 bytes.
 */
export function encodeJsonFrame(fields: FrameFields, mac: Uint8Array): string {
  const problem = checkFrameFields(fields)
  if (problem !== undefined) throw new HeartbeatError('HB_ERR_MALFORMED', `cannot encode frame: ${problem}`)
  if (!(mac instanceof Uint8Array) || mac.length !== MAC_BYTES) {
    throw new HeartbeatError('HB_ERR_MALFORMED', `cannot encode frame: mac must be ${MAC_BYTES} bytes`)
  }
  return writeJsonFrame(fields, mac)
}

/**
 * `encodeJsonFrame` without its checks, for fields already known to be valid
 * (an ack built from a verified frame): the checks cost as much as the text.
 */
export function writeJsonFrame(fields: FrameFields, mac: Uint8Array): string {
  // checkFrameFields allows intervalMs on a hello only, rttMs on a beat only, timeoutMs on an ack only.
  const body =
    fields.type === 'hello'
      ? `,"interval":${fields.intervalMs}`
      : fields.type === 'ack'
        ? `,"timeout":${fields.timeoutMs}`
        : fields.rttMs !== undefined
          ? `,"rtt":${fields.rttMs}`
          : ''
  const flags = flagsOf(fields)
  return (
    `{"v":${PROTOCOL_VERSION},"type":"${fields.type}","id":${JSON.stringify(fields.peerId)}` +
    `,"kid":${JSON.stringify(fields.keyId)},"inc":${fields.incarnation},"seq":${fields.seq}` +
    `,"ts":${fields.timestampMs}${body}${flags === 0 ? '' : `,"flags":${flags}`},"mac":"${macHex(mac)}"}`
  )
}

const utf8 = new TextEncoder()

/**
 * A JSON frame's text as UTF-8 bytes. The text is ASCII unless an id is not,
 * and ASCII is encoded straight into a slab view (`frame-slab.ts`): a fresh
 * off-heap array from `encode` costs more than the bytes. `encodeInto` is
 * native (~80 ns for an ack, where a copying loop took ~200; AMD EPYC, Node 20):
 * ASCII fills the view exactly, and any other character needs more bytes than
 * it has UTF-16 units, so it does not fit and the text is encoded apart.
 */
export function jsonFrameBytes(text: string): Uint8Array {
  const length = text.length
  if (length > 512) return utf8.encode(text)
  const out = allocFrame(length)
  const { read, written } = utf8.encodeInto(text, out)
  return read === length && written === length ? out : utf8.encode(text)
}

const hexDigitCodes = new TextEncoder().encode('0123456789abcdef')
const macHexCodes = new Uint8Array(2 * MAC_BYTES)

/**
 * The MAC in lower-case hex, as `toHex` writes it, but as one flat string from
 * one decode: 32 concatenations would leave a rope that every ack then flattens.
 */
function macHex(mac: Uint8Array): string {
  for (let i = 0; i < MAC_BYTES; i++) {
    const byte = mac[i] as number
    macHexCodes[2 * i] = hexDigitCodes[byte >> 4] as number
    macHexCodes[2 * i + 1] = hexDigitCodes[byte & 0x0f] as number
  }
  return latin1(macHexCodes, 0, macHexCodes.length)
}

/**
 * Decodes one JSON frame from UTF-8 bytes or a string. Never throws. Checks
 * `maxFrameBytes` first against the UTF-8 length (`too-large`), then parses
 * and checks the exact shape of PROTOCOL.md §3 (`malformed`): exactly the
 * listed members, integers in range, `mac` as 64 lower-case hex digits. An
 * absent `rtt` on a beat is a frame without `rttMs`.
 *
 * JSON numbers are read as JSON.parse reads them, so `1.0` and `1e3` are the
 * integers 1 and 1000, and `-0` is 0. A repeated member name cannot be seen
 * after JSON.parse: the last one wins.
 *
 * Text exactly as `encodeJsonFrame` writes it (every hb sender) is read by a
 * direct scan; anything else goes through JSON.parse. Both accept and reject
 * the same inputs with the same results: the scan only ever answers for a
 * valid frame, and leaves every doubt (and every rejection, so that its detail
 * is the general path's) to JSON.parse.
 */
export function decodeJsonFrame(input: Uint8Array | string, maxFrameBytes: number): DecodeResult {
  let text: string
  if (typeof input === 'string') {
    if (utf8LengthExceeds(input, maxFrameBytes)) return tooLarge(maxFrameBytes)
    text = input
  } else {
    if (input.length > maxFrameBytes) return tooLarge(maxFrameBytes)
    // ASCII (every frame whose ids are): one byte per character, so a native latin1 slice
    // is the text, and the ids can be cut from the bytes as strings of their own.
    if (isAscii(input)) {
      text = latin1(input, 0, input.length)
      return decodeEncoderOrder(text, input) ?? decodeAnyOrder(text)
    }
    try {
      text = textDecoder.decode(input)
    } catch {
      return malformed('not valid UTF-8')
    }
  }
  return decodeEncoderOrder(text) ?? decodeAnyOrder(text)
}

/**
 * The general path: JSON.parse, then the shape checks. Exported for the tests
 * that hold the fast path to it (not part of the package's API).
 * @internal
 */
export function decodeAnyOrder(text: string): DecodeResult {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // The parser's message quotes the input; frame contents stay out of details.
    return malformed('not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('not a JSON object')
  const object = value as Record<string, unknown>

  if (object.v !== PROTOCOL_VERSION) return malformed(`v must be ${PROTOCOL_VERSION}`)
  const type = object.type
  if (!isFrameType(type)) return malformed('type must be hello, beat, ack or bye')
  const isHello = type === 'hello'
  const isAck = type === 'ack'
  if (!isHello && Object.hasOwn(object, 'interval')) return malformed('interval is allowed on a hello only')
  if (!isAck && Object.hasOwn(object, 'timeout')) return malformed('timeout is allowed on an ack only')
  const hasRtt = Object.hasOwn(object, 'rtt')
  if (hasRtt && type !== 'beat') return malformed('rtt is allowed on a beat only')
  const hasFlags = Object.hasOwn(object, 'flags')
  for (const name of ['id', 'kid', 'inc', 'seq', 'ts', 'mac'] as const) {
    if (!Object.hasOwn(object, name)) return malformed(`missing member ${name}`)
  }
  if (isHello && !Object.hasOwn(object, 'interval')) return malformed('missing member interval on a hello')
  if (isAck && !Object.hasOwn(object, 'timeout')) return malformed('missing member timeout on an ack')
  // Every required member is present, so any surplus is an unknown member.
  const memberCount = BASE_MEMBER_COUNT + (isHello || isAck ? 1 : 0) + (hasRtt ? 1 : 0) + (hasFlags ? 1 : 0)
  if (Object.keys(object).length !== memberCount) return malformed('unknown member')

  const { id, kid, inc, seq, ts, interval, rtt, timeout, flags } = object
  if (typeof id !== 'string') return malformed('id must be a string')
  if (typeof kid !== 'string') return malformed('kid must be a string')
  if (typeof inc !== 'number' || typeof seq !== 'number' || typeof ts !== 'number') {
    return malformed('inc, seq and ts must be numbers')
  }
  if (isHello && typeof interval !== 'number') return malformed('interval must be a number')
  if (hasRtt && typeof rtt !== 'number') return malformed('rtt must be a number')
  if (isAck && typeof timeout !== 'number') return malformed('timeout must be a number')
  // flags: present only when not 0 (one spelling per frame), and only the bits its type may carry.
  const allowed = allowedFlags(type)
  if (hasFlags && (typeof flags !== 'number' || !Number.isInteger(flags) || flags <= 0 || (flags & ~allowed) !== 0)) {
    return malformed(`flags must be a bit set within ${allowed} on ${isAck ? 'an ack' : `a ${type}`}, and absent when no flag is set`)
  }
  const mac = typeof object.mac === 'string' && object.mac.length === 2 * MAC_BYTES ? fromHex(object.mac) : undefined
  if (mac === undefined) return malformed('mac must be 64 lower-case hex digits')

  // `+ 0` turns a JSON -0 into 0, so decoded numbers compare equal to encoded ones.
  const fields: FrameFields = { type, peerId: id, keyId: kid, incarnation: inc + 0, seq: seq + 0, timestampMs: ts + 0 }
  if (isHello) fields.intervalMs = (interval as number) + 0
  // checkFrameFields rejects 2^32−1: in binary that value means "not measured".
  if (hasRtt) fields.rttMs = (rtt as number) + 0
  if (isAck) fields.timeoutMs = (timeout as number) + 0
  if (hasFlags && ((flags as number) & FLAG_ACK_REQUESTED) !== 0) fields.ackRequested = true
  if (hasFlags && ((flags as number) & FLAG_CLOCK_CORRECTION) !== 0) fields.clockCorrection = true
  if (hasFlags && ((flags as number) & FLAG_ADAPTIVE_INTERVAL) !== 0) fields.adaptiveInterval = true
  const problem = checkFrameFields(fields)
  if (problem !== undefined) return malformed(problem)

  const frame: Frame = { ...fields, mac }
  return { ok: true, frame, canonical: encodeCanonical(fields), encoding: 'json' }
}

// The fixed text around the values, as encodeJsonFrame writes it.
const openings: Readonly<Record<FrameType, string>> = {
  hello: `{"v":${PROTOCOL_VERSION},"type":"hello","id":"`,
  beat: `{"v":${PROTOCOL_VERSION},"type":"beat","id":"`,
  ack: `{"v":${PROTOCOL_VERSION},"type":"ack","id":"`,
  bye: `{"v":${PROTOCOL_VERSION},"type":"bye","id":"`,
}
/** Where the type's first letter is in an opening. */
const TYPE_AT = openings.beat.indexOf('beat')
const KID = '","kid":"'
const INC = '","inc":'
const SEQ = ',"seq":'
const TS = ',"ts":'
const INTERVAL = ',"interval":'
const RTT = ',"rtt":'
const TIMEOUT = ',"timeout":'
const FLAGS = ',"flags":'
const MAC = ',"mac":"'
/** Text after the mac's digits: `"}`, and nothing after it. */
const AFTER_MAC = 2
const HEX_DIGITS = 2 * MAC_BYTES
/** Digits of MAX_U48 (2^48−1): every valid number fits, and up to 15 digits `n * 10 + d` stays exact. */
const MAX_DIGITS = 15

/** Value of each ASCII code as a lower-case hex digit, -1 for anything else (as `fromHex` reads them). */
const hexValue = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) hexValue[i.toString(16).charCodeAt(0)] = i

// Where the last scanned string or number ended (module state: the scan allocates nothing for it).
let scanEnd = 0

/**
 * The fast path: text in exactly the member order and formatting of
 * `encodeJsonFrame`, strings without escapes, numbers as plain digits.
 * Returns the decoded frame, or `undefined` for anything else (including
 * every invalid frame), which the caller then hands to `decodeAnyOrder`.
 * Exported for the tests.
 * @internal
 */
export function decodeEncoderOrder(text: string, asciiBytes?: Uint8Array): DecodeResult | undefined {
  const type = openingType(text)
  if (type === undefined) return undefined
  let at = openings[type].length
  if (!scanString(text, at)) return undefined
  // From the bytes when the text is their ASCII: a flat string, where a slice of the text
  // would share (and keep alive) the whole text, and hash and compare slower.
  const peerId = asciiBytes === undefined ? text.slice(at, scanEnd) : latin1(asciiBytes, at, scanEnd)
  if (!text.startsWith(KID, scanEnd)) return undefined
  at = scanEnd + KID.length
  if (!scanString(text, at)) return undefined
  const keyId = at === scanEnd ? '' : asciiBytes === undefined ? text.slice(at, scanEnd) : latin1(asciiBytes, at, scanEnd)
  if (!text.startsWith(INC, scanEnd)) return undefined
  const incarnation = digitsAt(text, scanEnd + INC.length)
  if (incarnation < 0 || !text.startsWith(SEQ, scanEnd)) return undefined
  const seq = digitsAt(text, scanEnd + SEQ.length)
  if (seq < 0 || !text.startsWith(TS, scanEnd)) return undefined
  const timestampMs = digitsAt(text, scanEnd + TS.length)
  if (timestampMs < 0) return undefined
  at = scanEnd
  // `,"i…` interval, `,"r…` rtt, `,"t…` timeout, then `,"f…` flags, then the mac. Which a type may have is encodeCanonical's check below.
  const member = text.charCodeAt(at + 2)
  let extra = -1
  if (member === 0x69 || member === 0x72 || member === 0x74) {
    const name = member === 0x69 ? INTERVAL : member === 0x72 ? RTT : TIMEOUT
    if (text.startsWith(name, at)) extra = digitsAt(text, at + name.length)
    if (extra < 0) return undefined
    at = scanEnd
  }
  let flags = 0
  if (text.charCodeAt(at + 2) === 0x66) {
    if (text.startsWith(FLAGS, at)) flags = digitsAt(text, at + FLAGS.length)
    // 0 is never written (an absent member means no flag); bits the type may not carry are the general path's to reject.
    if (flags < 1 || (flags & ~allowedFlags(type)) !== 0) return undefined
    at = scanEnd
  }
  if (!text.startsWith(MAC, at)) return undefined
  at += MAC.length
  const end = at + HEX_DIGITS
  if (text.length !== end + AFTER_MAC || text.charCodeAt(end) !== 0x22 || text.charCodeAt(end + 1) !== 0x7d) return undefined
  const mac = hexAt(text, at)
  if (mac === undefined) return undefined
  const frame: Frame = { type, peerId, keyId, incarnation, seq, timestampMs, mac }
  if (member === 0x69) frame.intervalMs = extra
  else if (member === 0x72) frame.rttMs = extra
  else if (member === 0x74) frame.timeoutMs = extra
  if ((flags & FLAG_ACK_REQUESTED) !== 0) frame.ackRequested = true
  if ((flags & FLAG_CLOCK_CORRECTION) !== 0) frame.clockCorrection = true
  if ((flags & FLAG_ADAPTIVE_INTERVAL) !== 0) frame.adaptiveInterval = true
  let canonical: Uint8Array
  try {
    // Checks every field (checkFrameFields; the mac is not a field): an invalid one goes to the general path, for its detail.
    canonical = encodeCanonical(frame)
  } catch {
    return undefined
  }
  return { ok: true, frame, canonical, encoding: 'json' }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false
  return true
}

/** The type of a text that starts with one of the `openings`, else `undefined`. */
function openingType(text: string): FrameType | undefined {
  const first = text.charCodeAt(TYPE_AT)
  const type: FrameType | undefined =
    first === 0x62 ? (text.charCodeAt(TYPE_AT + 1) === 0x65 ? 'beat' : 'bye') : first === 0x68 ? 'hello' : first === 0x61 ? 'ack' : undefined
  return type !== undefined && text.startsWith(openings[type]) ? type : undefined
}

/**
 * Scans the characters of a JSON string from `at` to its closing quote (left
 * in `scanEnd`). False for an escape or a control character (the general path
 * decides those) and for a string that does not end.
 */
function scanString(text: string, at: number): boolean {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      scanEnd = i
      return true
    }
    if (c === 0x5c || c < 0x20) return false
  }
  return false
}

/**
 * A JSON number written as plain digits from `at` (`0`, or no leading zero),
 * at most MAX_DIGITS of them, with its end in `scanEnd`; -1 for anything
 * else (a sign, no digit at all, too many digits).
 */
function digitsAt(text: string, at: number): number {
  let value = 0
  let i = at
  const last = Math.min(text.length, at + MAX_DIGITS + 1)
  for (; i < last; i++) {
    const digit = text.charCodeAt(i) - 0x30
    if (digit < 0 || digit > 9) break
    value = value * 10 + digit
  }
  const count = i - at
  // More than MAX_DIGITS is over any valid value: the general path rejects it with its own detail.
  // A fraction or an exponent after the digits fails the caller's match of the text that follows.
  if (count === 0 || count > MAX_DIGITS || (count > 1 && text.charCodeAt(at) === 0x30)) return -1
  scanEnd = i
  return value
}

/** The MAC from its 64 lower-case hex digits at `at`, or `undefined` if any is not one. */
function hexAt(text: string, at: number): Uint8Array | undefined {
  const mac = new Uint8Array(MAC_BYTES)
  for (let i = 0; i < MAC_BYTES; i++) {
    const high = hexValue[text.charCodeAt(at + 2 * i)] ?? -1
    const low = hexValue[text.charCodeAt(at + 2 * i + 1)] ?? -1
    if (high < 0 || low < 0) return undefined
    mac[i] = (high << 4) | low
  }
  return mac
}

/**
 * Whether `text` takes more than `limit` bytes as UTF-8, counted as TextEncoder
 * would encode it (a lone surrogate is the 3 bytes of U+FFFD). Stops once past
 * `limit`, so a huge string costs no more than `limit` steps.
 */
function utf8LengthExceeds(text: string, limit: number): boolean {
  // Every UTF-16 unit takes one to three bytes (a surrogate pair: four for two units).
  if (text.length > limit) return true
  if (text.length * 3 <= limit) return false
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4
      i++
    } else bytes += 3
    if (bytes > limit) return true
  }
  return false
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff
}

function malformed(detail: string): DecodeResult {
  return { ok: false, reason: 'malformed', detail }
}

function tooLarge(maxFrameBytes: number): DecodeResult {
  return { ok: false, reason: 'too-large', detail: `over maxFrameBytes (${maxFrameBytes})` }
}
