/**
 * Decode → key lookup → constant-time MAC check: the part of accepting a frame
 * that is the same for the monitor (peer frames) and the beater (acks).
 * Freshness and replay are the caller's, because their state differs
 * (per-peer sequence window on the monitor, outstanding frames on the beater).
 */
import { decodeFrame } from '../wire/decode-frame.js'
import type { Frame } from '../wire/frame.js'
import type { RejectReason } from '../errors/reject-reason.js'
import { verifyHmacSha256 } from './hmac.js'
import { verifyHmacSha256Web } from './hmac-web.js'
import type { KeyResolver } from './key-resolver.js'
import type { FrameEncoding } from '../adapter/transport.js'

export type VerifyResult =
  | {
      readonly ok: true
      readonly frame: Frame
      readonly encoding: FrameEncoding
      readonly key: Uint8Array
      /** The signed bytes (PROTOCOL §4). For binary input, a view into the input: valid while it is. */
      readonly canonical: Uint8Array
    }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string; readonly peerId?: string }

type Failure = VerifyResult & { ok: false }

/** The key a decoded frame names, or why there is none. */
function keyFor(frame: Frame, keys: KeyResolver): Uint8Array | Failure {
  let key: Uint8Array | undefined
  try {
    key = keys.verifyingKey(frame.peerId, frame.keyId)
  } catch {
    // A user key function that throws must not throw out of a socket handler.
    return { ok: false, reason: 'unknown-key', detail: 'the key function failed for this peer', peerId: frame.peerId }
  }
  if (key === undefined) {
    return { ok: false, reason: 'unknown-key', detail: `no key "${frame.keyId}" for this peer`, peerId: frame.peerId }
  }
  return key
}

function badSignature(frame: Frame): Failure {
  return { ok: false, reason: 'bad-signature', detail: 'MAC does not match', peerId: frame.peerId }
}

/** Verifies one frame, synchronously (the receive hot path: no intermediate objects). Never throws. */
export function verifyFrame(bytes: Uint8Array, keys: KeyResolver, maxFrameBytes: number): VerifyResult {
  const decoded = decodeFrame(bytes, maxFrameBytes)
  if (!decoded.ok) return decoded
  const { frame } = decoded
  const key = keyFor(frame, keys)
  if (!ArrayBuffer.isView(key)) return key
  if (!verifyHmacSha256(key, decoded.canonical, frame.mac)) return badSignature(frame)
  return { ok: true, frame, encoding: decoded.encoding, key, canonical: decoded.canonical }
}

/** The same verdicts as `verifyFrame`, over WebCrypto: for browsers. Never rejects. */
export async function verifyFrameWeb(bytes: Uint8Array, keys: KeyResolver, maxFrameBytes: number): Promise<VerifyResult> {
  // Binary decoding hands out views into `bytes`; copy so an awaiting caller's buffer reuse cannot matter.
  // new Uint8Array(…), not slice(): a Buffer's slice() shares memory.
  const decoded = decodeFrame(new Uint8Array(bytes), maxFrameBytes)
  if (!decoded.ok) return decoded
  const { frame } = decoded
  const key = keyFor(frame, keys)
  if (!ArrayBuffer.isView(key)) return key
  const valid = await verifyHmacSha256Web(key, decoded.canonical, frame.mac).catch(() => false)
  if (!valid) return badSignature(frame)
  return { ok: true, frame, encoding: decoded.encoding, key, canonical: decoded.canonical }
}
