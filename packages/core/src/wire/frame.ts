/**
 * The frame model shared by both encodings (PROTOCOL.md §1): types, limits and
 * the field checks the encoders and the JSON decoder run.
 */
import type { FrameEncoding } from '../adapter/transport.js'

/** The four message types (PROTOCOL.md §1). */
export type FrameType = 'hello' | 'beat' | 'ack' | 'bye'

/** Everything in a frame except its MAC: exactly what is signed (PROTOCOL.md §4). */
export interface FrameFields {
  type: FrameType
  /** 1–255 bytes of UTF-8 (a well-formed string: no lone surrogates). */
  peerId: string
  /** ASCII `0x21`–`0x7e`, 0–64 characters; empty names the single shared secret. */
  keyId: string
  /** Integer, 0 … 2⁴⁸−1. */
  incarnation: number
  /** Integer, 0 … 2³²−1. */
  seq: number
  /** Integer Unix milliseconds, 0 … 2⁴⁸−1. */
  timestampMs: number
  /** Integer, 1 … 2³²−1. Required on a `hello`, absent on every other type. */
  intervalMs?: number
  /**
   * `beat` only: the round-trip time the sender last measured, integer
   * milliseconds, 0 … 2³²−2. Absent until the sender has measured one, and
   * always absent on every other type.
   */
  rttMs?: number
  /**
   * `hello`, `beat`, `bye`: the sender asks for an ack (flag bit 0). A monitor
   * acks a `hello` and a `bye` whether or not it is set, and a `beat` only when
   * it is (PROTOCOL.md §6.3). Absent or false: not set. Never on an `ack`.
   */
  ackRequested?: boolean
  /**
   * `hello` only (flag bit 2): the beater has no interval of its own and
   * follows the pace the monitor announces (its timeout / `TIMEOUT_TO_INTERVAL`);
   * `intervalMs` is provisional (PROTOCOL.md §6.4).
   */
  adaptiveInterval?: boolean
  /**
   * `ack` only, required: the monitor's timeout for this peer, integer ms,
   * 1 … 2³²−1, so a beater can learn its interval from it and tell a
   * misconfiguration (PROTOCOL.md §6.4).
   */
  timeoutMs?: number
  /**
   * `ack` only (flag bit 1): the answered frame was NOT accepted because its
   * timestamp was outside the monitor's window; this ack's `timestampMs` is
   * the monitor's wall clock, for the beater to correct its offset and send
   * again at once (PROTOCOL.md §6.2).
   */
  clockCorrection?: boolean
}

/** A decoded or about-to-be-encoded frame. */
export interface Frame extends FrameFields {
  /** HMAC-SHA256 of the canonical bytes, 32 bytes. */
  mac: Uint8Array
}

/** Length of the HMAC-SHA256 tag. */
export const MAC_BYTES = 32
/** The only protocol version this code speaks (binary byte 2, JSON `v`). */
export const PROTOCOL_VERSION = 2
/** Longest `peerId`, in UTF-8 bytes. */
export const MAX_PEER_ID_BYTES = 255
/** Longest `keyId`, in characters (= bytes: it is ASCII). */
export const MAX_KEY_ID_BYTES = 64
/** Fixed part of a binary frame: magic 2, version 1, type 1, flags 1, incarnation 6, seq 4, timestamp 6, K 1, N 1. */
const BINARY_HEADER_BYTES = 23
/** Length of the body of a `hello` (`intervalMs`), a `beat` (`rttMs`) and an `ack` (`timeoutMs`); a `bye` has none. */
export const BODY_BYTES = 4
/** Flag bit 0: the sender asks for an ack (`hello`, `beat`, `bye`). */
export const FLAG_ACK_REQUESTED = 0x01
/** Flag bit 1: an ack that corrects the sender's clock, its frame not accepted (`ack` only). */
export const FLAG_CLOCK_CORRECTION = 0x02
/** Flag bit 2: the hello's interval is provisional, the beater follows the monitor's pace (`hello` only). */
export const FLAG_ADAPTIVE_INTERVAL = 0x04

/** The flags a frame of each type may carry; any other bit is malformed. */
export function allowedFlags(type: FrameType): number {
  if (type === 'ack') return FLAG_CLOCK_CORRECTION
  if (type === 'hello') return FLAG_ACK_REQUESTED | FLAG_ADAPTIVE_INTERVAL
  return FLAG_ACK_REQUESTED
}

/**
 * A beater without an `intervalMs` beats at the monitor's timeout divided by
 * this: the pace at which losing beats to packet loss does not take a live
 * peer offline. RELIABILITY.md has the study behind the number: at 1% loss no
 * false offline in 10^7 peer-hours, at 5% 3e-5 per peer-hour. Not an integer
 * on purpose: with timeout = k × interval, the k-th beat races the deadline;
 * with k + ½, six beats land well inside it. The monitor uses it too, as the
 * interval it expects from such a beater.
 */
export const TIMEOUT_TO_INTERVAL = 6.5

/** The interval of a beater that follows a monitor with this timeout (PROTOCOL.md §6.4). */
export function intervalForTimeout(timeoutMs: number): number {
  return Math.max(1, Math.round(timeoutMs / TIMEOUT_TO_INTERVAL))
}
/** Shortest binary frame: a `bye` with no keyId and a 1-byte peerId (56). */
export const MIN_FRAME_BYTES = BINARY_HEADER_BYTES + 1 + MAC_BYTES
/**
 * Longest binary frame: a 64-byte keyId, a 255-byte peerId and a body
 * (23 + 64 + 255 + 4 + 32 = 378).
 */
export const MAX_BINARY_FRAME_BYTES = BINARY_HEADER_BYTES + MAX_KEY_ID_BYTES + MAX_PEER_ID_BYTES + BODY_BYTES + MAC_BYTES
/** Default `maxFrameBytes`: room for any binary frame and any sensibly formatted JSON one. */
export const DEFAULT_MAX_FRAME_BYTES = 2048

/** Largest `incarnation` and `timestampMs` (u48). */
export const MAX_U48 = 0xffff_ffff_ffff
/** Largest `seq` and `intervalMs` (u32). */
export const MAX_U32 = 0xffff_ffff
/**
 * Largest `rttMs`: one below the u32 maximum, which the binary body of a
 * `beat` uses for "not measured" (PROTOCOL.md §2).
 */
export const MAX_RTT_MS = MAX_U32 - 1

/**
 * What a decoder returns; it never throws. On success `canonical` is the signed
 * byte string (PROTOCOL.md §4) to verify `frame.mac` against.
 *
 * For binary input, `canonical` and `frame.mac` are views into the input
 * (no copy): they are valid only as long as the caller's buffer is.
 */
export type DecodeResult =
  | { ok: true; frame: Frame; canonical: Uint8Array; encoding: FrameEncoding }
  | { ok: false; reason: 'malformed' | 'too-large'; detail: string }

/** True for one of the four type names. */
export function isFrameType(value: unknown): value is FrameType {
  return value === 'hello' || value === 'beat' || value === 'ack' || value === 'bye'
}

/** True for a valid `keyId`: 0–64 characters, each ASCII `0x21`–`0x7e` (no space, no control). */
export function isValidKeyId(keyId: string): boolean {
  if (typeof keyId !== 'string' || keyId.length > MAX_KEY_ID_BYTES) return false
  for (let i = 0; i < keyId.length; i++) {
    const c = keyId.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

/**
 * UTF-8 length of a well-formed string, or -1 if it holds a lone surrogate
 * (which has no UTF-8 encoding: TextEncoder would silently substitute U+FFFD,
 * and the signed bytes would no longer spell the string).
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c < 0xd800 || c > 0xdfff) bytes += 3
    else if (c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next < 0xdc00 || next > 0xdfff) return -1
      bytes += 4
      i++
    } else return -1
  }
  return bytes
}

/** True for a valid `peerId`: a well-formed string of 1–255 UTF-8 bytes. */
export function isValidPeerId(peerId: string): boolean {
  if (typeof peerId !== 'string' || peerId.length === 0 || peerId.length > MAX_PEER_ID_BYTES) return false
  const bytes = utf8ByteLength(peerId)
  return bytes >= 1 && bytes <= MAX_PEER_ID_BYTES
}

function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
}

/**
 * Checks every field against PROTOCOL.md §1. Returns `undefined` if the fields
 * can be encoded, otherwise a message naming the first bad field (never its
 * value). Safe on untrusted objects: it only reads the listed members.
 */
export function checkFrameFields(fields: FrameFields): string | undefined {
  if (typeof fields !== 'object' || fields === null) return 'frame fields must be an object'
  if (!isFrameType(fields.type)) return 'type must be hello, beat, ack or bye'
  if (!isValidPeerId(fields.peerId)) return 'peerId must be a string of 1–255 UTF-8 bytes'
  if (!isValidKeyId(fields.keyId)) return 'keyId must be 0–64 characters in ASCII 0x21–0x7e'
  if (!isUint(fields.incarnation, MAX_U48)) return 'incarnation must be an integer in 0 … 2^48−1'
  if (!isUint(fields.seq, MAX_U32)) return 'seq must be an integer in 0 … 2^32−1'
  if (!isUint(fields.timestampMs, MAX_U48)) return 'timestampMs must be an integer in 0 … 2^48−1'
  if (fields.type === 'hello') {
    if (!isUint(fields.intervalMs, MAX_U32) || fields.intervalMs === 0) {
      return 'intervalMs must be an integer in 1 … 2^32−1 on a hello'
    }
  } else if (fields.intervalMs !== undefined) {
    return 'intervalMs is allowed on a hello only'
  }
  if (fields.rttMs !== undefined) {
    if (fields.type !== 'beat') return 'rttMs is allowed on a beat only'
    if (!isUint(fields.rttMs, MAX_RTT_MS)) return 'rttMs must be an integer in 0 … 2^32−2 on a beat'
  }
  if (fields.ackRequested !== undefined) {
    if (typeof fields.ackRequested !== 'boolean') return 'ackRequested must be a boolean'
    if (fields.ackRequested && fields.type === 'ack') return 'ackRequested is not allowed on an ack'
  }
  if (fields.type === 'ack') {
    if (!isUint(fields.timeoutMs, MAX_U32) || fields.timeoutMs === 0) return 'timeoutMs must be an integer in 1 … 2^32−1 on an ack'
  } else if (fields.timeoutMs !== undefined) {
    return 'timeoutMs is allowed on an ack only'
  }
  if (fields.clockCorrection !== undefined) {
    if (typeof fields.clockCorrection !== 'boolean') return 'clockCorrection must be a boolean'
    if (fields.clockCorrection && fields.type !== 'ack') return 'clockCorrection is allowed on an ack only'
  }
  if (fields.adaptiveInterval !== undefined) {
    if (typeof fields.adaptiveInterval !== 'boolean') return 'adaptiveInterval must be a boolean'
    if (fields.adaptiveInterval && fields.type !== 'hello') return 'adaptiveInterval is allowed on a hello only'
  }
  return undefined
}

/** The flags byte of checked fields (PROTOCOL.md §2). */
export function flagsOf(fields: FrameFields): number {
  return (
    (fields.ackRequested === true ? FLAG_ACK_REQUESTED : 0) |
    (fields.clockCorrection === true ? FLAG_CLOCK_CORRECTION : 0) |
    (fields.adaptiveInterval === true ? FLAG_ADAPTIVE_INTERVAL : 0)
  )
}
