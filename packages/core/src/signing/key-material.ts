/**
 * Turning user-supplied secrets into the bytes HMAC and HKDF take. No crypto
 * here, so both the Node and the WebCrypto paths share it.
 *
 * Error messages name *which* key is wrong (a label, a key id), never its bytes.
 */
import { configError } from '../errors/heartbeat-error.js'

/** A secret as users write it: a string (used as its UTF-8 bytes, PROTOCOL §5) or raw bytes. */
export type KeyInput = string | Uint8Array

const encoder = new TextEncoder()

/**
 * The bytes of a key. A string becomes its UTF-8 encoding (a new array); a
 * `Uint8Array` is returned as is, not copied, because key functions run once per
 * frame. Callers that keep the result for long should use {@link snapshotKeyBytes}.
 *
 * @param label names the key in error messages (for example `key "k1"`).
 * @throws HeartbeatError `HB_ERR_CONFIG` if the input is empty or not a string or Uint8Array.
 */
export function toKeyBytes(input: KeyInput, label = 'key'): Uint8Array {
  let bytes: Uint8Array
  if (typeof input === 'string') {
    bytes = encoder.encode(input)
  } else if (input instanceof Uint8Array) {
    bytes = input
  } else {
    throw configError(`${label} must be a string or a Uint8Array, got ${describeType(input)}`)
  }
  if (bytes.byteLength === 0) throw configError(`${label} is empty; an empty key authenticates nothing`)
  return bytes
}

/**
 * Like {@link toKeyBytes}, but a `Uint8Array` input is copied, so that later
 * writes to the caller's array cannot change a key that was configured once
 * (and cannot desynchronise keys cached from it, such as WebCrypto's CryptoKeys).
 */
export function snapshotKeyBytes(input: KeyInput, label = 'key'): Uint8Array {
  const bytes = toKeyBytes(input, label)
  // new Uint8Array(…), not slice(): a Buffer's slice() shares memory.
  return bytes === input ? new Uint8Array(bytes) : bytes
}

/** The HKDF salt of `deriveKey` (PROTOCOL §5), as UTF-8 bytes. */
export const peerKeySalt: Uint8Array = encoder.encode('hb/v1/peer-key')

// In a `u` regex a surrogate range matches only *lone* surrogates: a proper pair is
// one code point and falls outside it.
const loneSurrogate = /[\uD800-\uDFFF]/u

/**
 * The UTF-8 bytes of a peer id, used as HKDF `info` by `deriveKey`.
 *
 * Lone surrogates are refused rather than encoded: UTF-8 cannot carry them, an
 * encoder would turn every one of them into U+FFFD, and two different peer ids
 * would then share one derived key.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` unless `peerId` is a well-formed string of 1–255 UTF-8 bytes.
 */
export function peerIdBytes(peerId: string): Uint8Array {
  if (typeof peerId !== 'string') throw configError(`peerId must be a string, got ${describeType(peerId)}`)
  if (loneSurrogate.test(peerId)) throw configError('peerId contains a lone surrogate and is not valid Unicode')
  const bytes = encoder.encode(peerId)
  if (bytes.byteLength < 1 || bytes.byteLength > 255) {
    throw configError(`peerId must be 1–255 UTF-8 bytes, got ${bytes.byteLength}`)
  }
  return bytes
}

/** A short description of a value's type for error messages; never the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? name : 'object'
}
