/**
 * Builds a signed frame in the encoding a transport carries (PROTOCOL.md §2–§4):
 * synchronously over node:crypto, or asynchronously over WebCrypto (browsers).
 */
import { encodeCanonical, encodeUnsignedAckTo, encodeUnsignedFrame } from '../wire/binary-codec.js'
import type { Frame, FrameFields } from '../wire/frame.js'
import { FLAG_CLOCK_CORRECTION, MAC_BYTES, MAX_U32, MAX_U48 } from '../wire/frame.js'
import { HeartbeatError } from '../errors/heartbeat-error.js'
import { encodeJsonFrame, jsonFrameBytes, writeJsonFrame } from '../wire/json-codec.js'
import { hmacSha256, hmacSha256Into } from './hmac.js'
import { hmacSha256Web } from './hmac-web.js'
import type { FrameEncoding } from '../adapter/transport.js'

const utf8 = new TextEncoder()

function assemble(fields: FrameFields, canonical: Uint8Array, mac: Uint8Array, encoding: FrameEncoding): Uint8Array {
  if (encoding === 'json') return utf8.encode(encodeJsonFrame(fields, mac))
  const out = new Uint8Array(canonical.length + MAC_BYTES)
  out.set(canonical, 0)
  out.set(mac, canonical.length)
  return out
}

/** A signed frame, over node:crypto. */
export function signFrame(fields: FrameFields, key: Uint8Array, encoding: FrameEncoding): Uint8Array {
  if (encoding === 'json') {
    const canonical = encodeCanonical(fields)
    return assemble(fields, canonical, hmacSha256(key, canonical), encoding)
  }
  // Binary (every ack to a binary frame): the MAC is written in place after the bytes it covers.
  const frame = encodeUnsignedFrame(fields)
  const signed = frame.length - MAC_BYTES
  hmacSha256Into(key, frame, signed, frame, signed)
  return frame
}

/**
 * The signed ack to a verified `frame` whose canonical bytes are `canonical`:
 * the same bytes as `signFrame({ type: 'ack', peerId, keyId, incarnation,
 * seq, timestampMs, timeoutMs, clockCorrection }, key, encoding)`, built by
 * copying the frame's checked bytes instead of re-encoding its fields (the
 * monitor's per-beat path).
 */
export function signAckTo(
  frame: Frame,
  canonical: Uint8Array,
  key: Uint8Array,
  encoding: FrameEncoding,
  timestampMs: number,
  timeoutMs: number,
  clockCorrection: boolean,
): Uint8Array {
  // The only fields not copied from checked bytes: a broken wall clock must not wrap silently.
  if (!Number.isInteger(timestampMs) || timestampMs < 0 || timestampMs > MAX_U48) {
    throw new HeartbeatError('HB_ERR_MALFORMED', `cannot encode frame: timestampMs must be an integer in 0 … 2^48−1, got ${timestampMs}`)
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_U32) {
    throw new HeartbeatError('HB_ERR_MALFORMED', `cannot encode frame: timeoutMs must be an integer in 1 … 2^32−1, got ${timeoutMs}`)
  }
  const ack = encodeUnsignedAckTo(canonical, timestampMs, timeoutMs, clockCorrection ? FLAG_CLOCK_CORRECTION : 0)
  const signed = ack.length - MAC_BYTES
  hmacSha256Into(key, ack, signed, ack, signed)
  if (encoding === 'binary') return ack
  const { peerId, keyId, incarnation, seq } = frame
  const fields: FrameFields = { type: 'ack', peerId, keyId, incarnation, seq, timestampMs, timeoutMs }
  if (clockCorrection) fields.clockCorrection = true
  return jsonFrameBytes(writeJsonFrame(fields, ack.subarray(signed)))
}

/** The same bytes as `signFrame`, over WebCrypto: for browsers. */
export async function signFrameWeb(fields: FrameFields, key: Uint8Array, encoding: FrameEncoding): Promise<Uint8Array> {
  const canonical = encodeCanonical(fields)
  return assemble(fields, canonical, await hmacSha256Web(key, canonical), encoding)
}
