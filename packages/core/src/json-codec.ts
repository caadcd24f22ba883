/**
 * The JSON encoding (PROTOCOL.md §3), for HTTP bodies and WebSocket text.
 *
 * The MAC is never computed over JSON text: a decoded JSON frame carries the
 * canonical bytes of §4, identical to the binary frame with the same fields,
 * so member order and whitespace cannot matter and a frame can change
 * encoding without being signed again.
 */
import { encodeCanonical } from './binary-codec.js'
import { checkFrameFields, isFrameType, MAC_BYTES, PROTOCOL_VERSION } from './frame.js'
import type { DecodeResult, Frame, FrameFields } from './frame.js'
import { HeartbeatError } from './errors.js'
import { fromHex, toHex } from './hex.js'

const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Members of every frame; a hello also has `interval`, a beat may also have `rtt`. */
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
  // checkFrameFields allows intervalMs on a hello only and rttMs on a beat only.
  const body =
    fields.type === 'hello'
      ? `,"interval":${fields.intervalMs}`
      : fields.rttMs !== undefined
        ? `,"rtt":${fields.rttMs}`
        : ''
  return (
    `{"v":${PROTOCOL_VERSION},"type":"${fields.type}","id":${JSON.stringify(fields.peerId)}` +
    `,"kid":${JSON.stringify(fields.keyId)},"inc":${fields.incarnation},"seq":${fields.seq}` +
    `,"ts":${fields.timestampMs}${body},"mac":"${toHex(mac)}"}`
  )
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
 */
export function decodeJsonFrame(input: Uint8Array | string, maxFrameBytes: number): DecodeResult {
  let text: string
  if (typeof input === 'string') {
    if (utf8LengthExceeds(input, maxFrameBytes)) return tooLarge(maxFrameBytes)
    text = input
  } else {
    if (input.length > maxFrameBytes) return tooLarge(maxFrameBytes)
    try {
      text = textDecoder.decode(input)
    } catch {
      return malformed('not valid UTF-8')
    }
  }

  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // The parser's message quotes the input; frame contents stay out of details.
    return malformed('not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('not a JSON object')
  const object = value as Record<string, unknown>

  if (object.v !== PROTOCOL_VERSION) return malformed('v must be 1')
  const type = object.type
  if (!isFrameType(type)) return malformed('type must be hello, beat, ack or bye')
  const isHello = type === 'hello'
  if (!isHello && Object.hasOwn(object, 'interval')) return malformed('interval is allowed on a hello only')
  const hasRtt = Object.hasOwn(object, 'rtt')
  if (hasRtt && type !== 'beat') return malformed('rtt is allowed on a beat only')
  for (const name of ['id', 'kid', 'inc', 'seq', 'ts', 'mac'] as const) {
    if (!Object.hasOwn(object, name)) return malformed(`missing member ${name}`)
  }
  if (isHello && !Object.hasOwn(object, 'interval')) return malformed('missing member interval on a hello')
  // Every required member is present, so any surplus is an unknown member.
  const memberCount = BASE_MEMBER_COUNT + (isHello ? 1 : 0) + (hasRtt ? 1 : 0)
  if (Object.keys(object).length !== memberCount) return malformed('unknown member')

  const { id, kid, inc, seq, ts, interval, rtt } = object
  if (typeof id !== 'string') return malformed('id must be a string')
  if (typeof kid !== 'string') return malformed('kid must be a string')
  if (typeof inc !== 'number' || typeof seq !== 'number' || typeof ts !== 'number') {
    return malformed('inc, seq and ts must be numbers')
  }
  if (isHello && typeof interval !== 'number') return malformed('interval must be a number')
  if (hasRtt && typeof rtt !== 'number') return malformed('rtt must be a number')
  const mac = typeof object.mac === 'string' && object.mac.length === 2 * MAC_BYTES ? fromHex(object.mac) : undefined
  if (mac === undefined) return malformed('mac must be 64 lower-case hex digits')

  // `+ 0` turns a JSON -0 into 0, so decoded numbers compare equal to encoded ones.
  const fields: FrameFields = { type, peerId: id, keyId: kid, incarnation: inc + 0, seq: seq + 0, timestampMs: ts + 0 }
  if (isHello) fields.intervalMs = (interval as number) + 0
  // checkFrameFields rejects 2^32−1: in binary that value means "not measured".
  if (hasRtt) fields.rttMs = (rtt as number) + 0
  const problem = checkFrameFields(fields)
  if (problem !== undefined) return malformed(problem)

  const frame: Frame = { ...fields, mac }
  return { ok: true, frame, canonical: encodeCanonical(fields), encoding: 'json' }
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
