/**
 * The binary encoding (PROTOCOL.md §2) and the canonical bytes every MAC is
 * computed over (§4), whatever the encoding on the wire.
 *
 * The decoder is on the hot path of the UDP server, so it reads bytes by index
 * from the caller's array: no DataView, no copy, no closure, no regex; the
 * only allocations are the strings, the frame object and two subarray views.
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'
import { allocFrame } from './frame-slab.js'
import { latin1 } from './latin1.js'
import {
  BODY_BYTES,
  checkFrameFields,
  allowedFlags,
  FLAG_ACK_REQUESTED,
  FLAG_ADAPTIVE_INTERVAL,
  FLAG_CLOCK_CORRECTION,
  flagsOf,
  MAC_BYTES,
  MAX_KEY_ID_BYTES,
  MAX_U32,
  MIN_FRAME_BYTES,
  PROTOCOL_VERSION,
  utf8ByteLength,
} from './frame.js'
import type { DecodeResult, Frame, FrameFields, FrameType } from './frame.js'

const MAGIC_0 = 0x68 // 'h'
const MAGIC_1 = 0x62 // 'b'
const FLAGS_OFFSET = 4
const INCARNATION_OFFSET = 5
const SEQ_OFFSET = 11
const TIMESTAMP_OFFSET = 15
const KEY_LENGTH_OFFSET = 21
const TWO_POW_32 = 0x1_0000_0000
/** The `rttMs` body of a `beat` that has not measured an RTT yet. */
const RTT_NOT_MEASURED = MAX_U32

const typeCodes: Readonly<Record<FrameType, number>> = { hello: 1, beat: 2, ack: 3, bye: 4 }
const typesByCode: readonly FrameType[] = ['hello', 'beat', 'ack', 'bye'] // code - 1

const textEncoder = new TextEncoder()
// fatal: invalid UTF-8 is a malformed frame, not a string with U+FFFD in it.
// ignoreBOM: a peerId may begin with U+FEFF; stripping it would change the id.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The canonical bytes of a frame (PROTOCOL.md §4): its binary encoding without
 * the MAC. This is what signing and verifying hash.
 *
 * @throws HeartbeatError `HB_ERR_MALFORMED` naming the first invalid field.
 */
export function encodeCanonical(fields: FrameFields): Uint8Array {
  assertEncodable(fields)
  return writeCanonical(fields, 0)
}

/**
 * The canonical bytes followed by 32 zero bytes, room for the MAC: a binary
 * frame to be signed in place (the signer's one allocation per frame).
 *
 * @throws HeartbeatError `HB_ERR_MALFORMED` naming the first invalid field.
 */
export function encodeUnsignedFrame(fields: FrameFields): Uint8Array {
  assertEncodable(fields)
  return writeCanonical(fields, MAC_BYTES)
}

/**
 * The unsigned binary ack to a frame, built from that frame's canonical bytes
 * (as a decoder returns them: already checked): the same keyId, peerId,
 * incarnation and seq, type `ack`, the given flags, timestamp (an integer in
 * 0 … 2^48−1) and `timeoutMs` body (1 … 2^32−1), then 32 zero bytes of room
 * for the MAC. Copying the checked bytes spares the monitor re-validating and
 * re-encoding the ids on every ack.
 */
export function encodeUnsignedAckTo(canonical: Uint8Array, timestampMs: number, timeoutMs: number, flags: number): Uint8Array {
  const type = typesByCode[canonical[3]! - 1]
  // Header and ids: everything before the answered frame's body (a bye has none).
  const idsEnd = type === 'bye' ? canonical.length : canonical.length - BODY_BYTES
  const out = allocFrame(idsEnd + BODY_BYTES + MAC_BYTES)
  // A loop, not set(subarray): the ids are a few dozen bytes, and a Buffer's subarray
  // (adapters hand over Buffers) costs more than copying them.
  for (let i = 0; i < idsEnd; i++) out[i] = canonical[i]!
  out[3] = typeCodes.ack
  out[FLAGS_OFFSET] = flags
  writeU48(out, TIMESTAMP_OFFSET, timestampMs)
  writeU32(out, idsEnd, timeoutMs)
  return out
}

/**
 * A complete binary frame: the canonical bytes followed by `mac`, in one
 * allocation.
 *
 * @throws HeartbeatError `HB_ERR_MALFORMED` naming the first invalid field, or
 *   `mac` if it is not 32 bytes.
 */
export function encodeBinaryFrame(fields: FrameFields, mac: Uint8Array): Uint8Array {
  if (!(mac instanceof Uint8Array) || mac.length !== MAC_BYTES) {
    throw new HeartbeatError('HB_ERR_MALFORMED', `cannot encode frame: mac must be ${MAC_BYTES} bytes`)
  }
  assertEncodable(fields)
  const out = writeCanonical(fields, MAC_BYTES)
  out.set(mac, out.length - MAC_BYTES)
  return out
}

/**
 * Decodes one binary frame. Never throws: anything that is not exactly one
 * valid frame is a rejection. Checks `maxFrameBytes` first (`too-large`), then
 * the layout (`malformed`).
 *
 * On success, `canonical` and `frame.mac` are subarrays of `bytes` (no copy):
 * verify before the caller's buffer is reused, or copy them.
 */
export function decodeBinaryFrame(bytes: Uint8Array, maxFrameBytes: number): DecodeResult {
  const length = bytes.length
  if (length > maxFrameBytes) return tooLarge(length, maxFrameBytes)
  if (length < MIN_FRAME_BYTES) return malformed(`truncated: ${length} bytes, a frame has at least ${MIN_FRAME_BYTES}`)
  if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) return malformed('wrong magic: not an hb binary frame')
  const version = bytes[2]!
  if (version !== PROTOCOL_VERSION) return malformed(`unsupported version ${version}`)
  const typeCode = bytes[3]!
  if (typeCode < 1 || typeCode > 4) return malformed(`unknown type code ${typeCode}`)
  const type = typesByCode[typeCode - 1]!
  const flags = bytes[FLAGS_OFFSET]!
  if ((flags & ~allowedFlags(type)) !== 0) return malformed(`flags 0x${flags.toString(16)} not allowed on ${type === 'ack' ? 'an ack' : `a ${type}`}`)

  const keyLength = bytes[KEY_LENGTH_OFFSET]!
  if (keyLength > MAX_KEY_ID_BYTES) return malformed(`keyId length ${keyLength} is over ${MAX_KEY_ID_BYTES}`)
  const keyStart = KEY_LENGTH_OFFSET + 1
  const peerLengthOffset = keyStart + keyLength
  // length >= 56 and keyLength <= 64, so this can still be past the end.
  if (peerLengthOffset >= length) return malformed(`truncated: keyId length ${keyLength} runs past the end`)
  const peerLength = bytes[peerLengthOffset]!
  if (peerLength === 0) return malformed('peerId length is 0')
  const peerStart = peerLengthOffset + 1
  const bodyStart = peerStart + peerLength
  // hello carries intervalMs, beat rttMs, ack timeoutMs; bye has no body.
  const macStart = type === 'bye' ? bodyStart : bodyStart + BODY_BYTES
  const end = macStart + MAC_BYTES
  if (end > length) return malformed(`truncated: the length fields need ${end} bytes, the frame has ${length}`)
  if (end < length) return malformed(`${length - end} trailing byte(s) after the mac`)

  for (let i = keyStart; i < peerLengthOffset; i++) {
    const c = bytes[i]!
    if (c < 0x21 || c > 0x7e) return malformed('keyId has a byte outside ASCII 0x21–0x7e')
  }
  const keyId = keyLength === 0 ? '' : latin1(bytes, keyStart, peerLengthOffset)
  const peerId = decodePeerId(bytes, peerStart, bodyStart)
  if (peerId === undefined) return malformed('peerId is not valid UTF-8')

  const incarnation = readU48(bytes, INCARNATION_OFFSET)
  const seq = readU32(bytes, SEQ_OFFSET)
  const timestampMs = readU48(bytes, TIMESTAMP_OFFSET)
  const mac = view(bytes, macStart, end)
  // A flag that is set decodes to `true`; one that is not, to no member at all.
  const ackRequested = (flags & FLAG_ACK_REQUESTED) !== 0
  let frame: Frame
  if (type === 'hello') {
    const intervalMs = readU32(bytes, bodyStart)
    if (intervalMs === 0) return malformed('intervalMs is 0')
    frame = { type, peerId, keyId, incarnation, seq, timestampMs, intervalMs, mac }
    if (ackRequested) frame.ackRequested = true
    if ((flags & FLAG_ADAPTIVE_INTERVAL) !== 0) frame.adaptiveInterval = true
  } else if (type === 'beat') {
    const rttMs = readU32(bytes, bodyStart)
    // "Not measured" decodes to no rttMs member at all, as intervalMs is absent on non-hellos.
    if (rttMs === RTT_NOT_MEASURED) {
      frame = ackRequested
        ? { type, peerId, keyId, incarnation, seq, timestampMs, ackRequested, mac }
        : { type, peerId, keyId, incarnation, seq, timestampMs, mac }
    } else {
      frame = ackRequested
        ? { type, peerId, keyId, incarnation, seq, timestampMs, rttMs, ackRequested, mac }
        : { type, peerId, keyId, incarnation, seq, timestampMs, rttMs, mac }
    }
  } else if (type === 'ack') {
    const timeoutMs = readU32(bytes, bodyStart)
    if (timeoutMs === 0) return malformed('timeoutMs is 0')
    frame = (flags & FLAG_CLOCK_CORRECTION) !== 0
      ? { type, peerId, keyId, incarnation, seq, timestampMs, timeoutMs, clockCorrection: true, mac }
      : { type, peerId, keyId, incarnation, seq, timestampMs, timeoutMs, mac }
  } else {
    frame = ackRequested
      ? { type, peerId, keyId, incarnation, seq, timestampMs, ackRequested, mac }
      : { type, peerId, keyId, incarnation, seq, timestampMs, mac }
  }
  return { ok: true, frame, canonical: view(bytes, 0, macStart), encoding: 'binary' }
}

function assertEncodable(fields: FrameFields): void {
  const problem = checkFrameFields(fields)
  if (problem !== undefined) throw new HeartbeatError('HB_ERR_MALFORMED', `cannot encode frame: ${problem}`)
}

/** Lays out checked fields, leaving `trailing` zero bytes at the end for the MAC. */
function writeCanonical(fields: FrameFields, trailing: number): Uint8Array {
  const { type, keyId, peerId } = fields
  const peerLength = utf8ByteLength(peerId)
  const hasBody = type !== 'bye'
  const canonicalLength = KEY_LENGTH_OFFSET + 2 + keyId.length + peerLength + (hasBody ? BODY_BYTES : 0)
  const out = new Uint8Array(canonicalLength + trailing)
  out[0] = MAGIC_0
  out[1] = MAGIC_1
  out[2] = PROTOCOL_VERSION
  out[3] = typeCodes[type]
  out[FLAGS_OFFSET] = flagsOf(fields)
  writeU48(out, INCARNATION_OFFSET, fields.incarnation)
  writeU32(out, SEQ_OFFSET, fields.seq)
  writeU48(out, TIMESTAMP_OFFSET, fields.timestampMs)
  out[KEY_LENGTH_OFFSET] = keyId.length
  let offset = KEY_LENGTH_OFFSET + 1
  for (let i = 0; i < keyId.length; i++) out[offset++] = keyId.charCodeAt(i)
  out[offset++] = peerLength
  if (peerLength === peerId.length) {
    // One byte per UTF-16 unit can only mean all ASCII.
    for (let i = 0; i < peerId.length; i++) out[offset++] = peerId.charCodeAt(i)
  } else {
    textEncoder.encodeInto(peerId, out.subarray(offset, offset + peerLength))
    offset += peerLength
  }
  if (type === 'hello') writeU32(out, offset, fields.intervalMs!)
  else if (type === 'beat') writeU32(out, offset, fields.rttMs ?? RTT_NOT_MEASURED)
  else if (type === 'ack') writeU32(out, offset, fields.timeoutMs!)
  return out
}

/** Strict UTF-8 peerId, with a fast path for all-ASCII ids. `undefined` if invalid. */
function decodePeerId(bytes: Uint8Array, start: number, end: number): string | undefined {
  let ascii = true
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false
      break
    }
  }
  if (ascii) return latin1(bytes, start, end)
  try {
    return textDecoder.decode(bytes.subarray(start, end))
  } catch {
    return undefined
  }
}

/**
 * `bytes.subarray(start, end)` as a plain Uint8Array: a Node Buffer's own
 * subarray goes through Buffer's species constructor, measurably slower on
 * the receive path (adapters hand over Buffers).
 */
function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start)
}

function readU32(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! * 0x100_0000 + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!)
}

function readU48(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 8) | bytes[offset + 1]!) * TWO_POW_32 + readU32(bytes, offset + 2)
}

function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24
  out[offset + 1] = (value >>> 16) & 0xff
  out[offset + 2] = (value >>> 8) & 0xff
  out[offset + 3] = value & 0xff
}

function writeU48(out: Uint8Array, offset: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32)
  out[offset] = high >>> 8
  out[offset + 1] = high & 0xff
  // >>> 0 keeps the low 32 bits of any integer up to 2^53.
  writeU32(out, offset + 2, value >>> 0)
}

function malformed(detail: string): DecodeResult {
  return { ok: false, reason: 'malformed', detail }
}

function tooLarge(length: number, maxFrameBytes: number): DecodeResult {
  return { ok: false, reason: 'too-large', detail: `${length} bytes is over maxFrameBytes (${maxFrameBytes})` }
}
