/**
 * Decode → key lookup → constant-time MAC check: the part of accepting a frame
 * that is the same for the monitor (peer frames) and the beater (acks).
 * Freshness and replay are the caller's, because their state differs
 * (per-peer sequence window on the monitor, outstanding frames on the beater).
 */
import { decodeFrame } from './decode-frame.js'
import type { DecodeResult, Frame } from './frame.js'
import type { RejectReason } from './reject-reason.js'
import { verifyHmacSha256 } from './signing/hmac.js'
import { verifyHmacSha256Web } from './signing/hmac-web.js'
import type { KeyResolver } from './signing/key-resolver.js'
import type { FrameEncoding } from './transport.js'

export type VerifyResult =
  | { readonly ok: true; readonly frame: Frame; readonly encoding: FrameEncoding; readonly key: Uint8Array }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string; readonly peerId?: string }

type Located = { ok: true; decoded: DecodeResult & { ok: true }; key: Uint8Array } | (VerifyResult & { ok: false })

/** Decodes and finds the key: everything but the MAC check. */
function locate(bytes: Uint8Array, keys: KeyResolver, maxFrameBytes: number): Located {
  const decoded = decodeFrame(bytes, maxFrameBytes)
  if (!decoded.ok) return decoded
  const { frame } = decoded
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
  return { ok: true, decoded, key }
}

function conclude(located: Located & { ok: true }, valid: boolean): VerifyResult {
  const { frame, encoding } = located.decoded
  if (!valid) return { ok: false, reason: 'bad-signature', detail: 'MAC does not match', peerId: frame.peerId }
  return { ok: true, frame, encoding, key: located.key }
}

/** Verifies one frame over node:crypto. Never throws. */
export function verifyFrame(bytes: Uint8Array, keys: KeyResolver, maxFrameBytes: number): VerifyResult {
  const located = locate(bytes, keys, maxFrameBytes)
  if (!located.ok) return located
  return conclude(located, verifyHmacSha256(located.key, located.decoded.canonical, located.decoded.frame.mac))
}

/** The same verdicts as `verifyFrame`, over WebCrypto: for browsers. Never rejects. */
export async function verifyFrameWeb(bytes: Uint8Array, keys: KeyResolver, maxFrameBytes: number): Promise<VerifyResult> {
  // Binary decoding hands out views into `bytes`; copy so an awaiting caller's buffer reuse cannot matter.
  const located = locate(bytes.slice(), keys, maxFrameBytes)
  if (!located.ok) return located
  const { canonical, frame } = located.decoded
  const valid = await verifyHmacSha256Web(located.key, canonical, frame.mac).catch(() => false)
  return conclude(located, valid)
}
