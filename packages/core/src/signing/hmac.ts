/**
 * HMAC-SHA256 (RFC 2104): the MAC of every frame (PROTOCOL §4), computed
 * synchronously. Browsers may use `hmac-web.ts` instead; both give the same bytes.
 *
 * This is the receive hot path (one verification and one signed ack per frame,
 * 100k+ frames a second). HMAC is H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); the two
 * padded key blocks are the same for every frame under one key, so their
 * compressed SHA-256 states are prepared once per key (a WeakMap keyed by the
 * key array) and a frame costs only the compressions of its own bytes, in
 * plain JavaScript (`sha256.ts`): measured about twice the rate of two native
 * `crypto.hash` calls per HMAC, and many times `createHmac` per frame.
 */
import { absorbFinal, absorbFinalDigest, compressBlock, finishSha256, SHA256_INITIAL_STATE, writeDigest } from './sha256.js'
import { nodeCrypto } from './node-crypto.js'

/** Length of an HMAC-SHA256 output, and of every frame's `mac`, in bytes. */
export const hmacSha256Bytes = 32

const BLOCK = 64

interface PreparedKey {
  /** The key's bytes when it was prepared, to notice a caller writing to the array later. */
  readonly bytes: Uint8Array
  /** SHA-256 state after absorbing K ⊕ ipad. */
  readonly inner: Int32Array
  /** SHA-256 state after absorbing K ⊕ opad. */
  readonly outer: Int32Array
}

const prepared = new WeakMap<Uint8Array, PreparedKey>()
const state = new Int32Array(8)
const innerDigest = new Int32Array(8)

function sha256(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(hmacSha256Bytes)
  state.set(SHA256_INITIAL_STATE)
  finishSha256(state, 0, message, out, 0)
  return out
}

/** True if `key` still holds the bytes it was prepared from (constant-time: it compares secrets). */
function unchanged(entry: PreparedKey, key: Uint8Array): boolean {
  const { bytes } = entry
  if (bytes.length !== key.length) return false
  let difference = 0
  for (let i = 0; i < bytes.length; i++) difference |= bytes[i]! ^ key[i]!
  return difference === 0
}

function prepare(key: Uint8Array): PreparedKey {
  let entry = prepared.get(key)
  // Cached by the array's identity, so re-checked by content: a caller that changed
  // the key's bytes in place gets the MAC of the new bytes, never a stale one.
  if (entry !== undefined && unchanged(entry, key)) return entry
  // RFC 2104: a key longer than the block is hashed first; a shorter one is zero-padded.
  const block = new Uint8Array(BLOCK)
  block.set(key.byteLength > BLOCK ? sha256(key) : key)
  const pad = new Uint8Array(BLOCK)
  const inner = Int32Array.from(SHA256_INITIAL_STATE)
  const outer = Int32Array.from(SHA256_INITIAL_STATE)
  for (let i = 0; i < BLOCK; i++) pad[i] = block[i]! ^ 0x36
  compressBlock(inner, pad, 0)
  for (let i = 0; i < BLOCK; i++) pad[i] = block[i]! ^ 0x5c
  compressBlock(outer, pad, 0)
  entry = { bytes: key.slice(), inner, outer }
  prepared.set(key, entry)
  return entry
}

/** Leaves the HMAC of `data` (its first `length` bytes) under `key` in `state`, as eight big-endian words. */
function digest(key: Uint8Array, data: Uint8Array, length: number = data.length): void {
  const { inner, outer } = prepare(key)
  state.set(inner)
  absorbFinal(state, BLOCK, data, length)
  innerDigest.set(state)
  state.set(outer)
  absorbFinalDigest(state, innerDigest)
}

/**
 * HMAC-SHA256 of `data` under `key`: 32 bytes. Any key length is valid, as in
 * RFC 2104. The result is a fresh array the caller owns.
 *
 * Keys are remembered by identity (a WeakMap) and re-checked by content, so
 * pass the same `Uint8Array` for the same key; a fresh array per call still
 * works, only slower, and writing to a key array in place is safe (the next
 * MAC uses the new bytes).
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(hmacSha256Bytes)
  digest(key, data)
  writeDigest(state, out, 0)
  return out
}

/**
 * Writes the HMAC-SHA256 of `data`'s first `length` bytes under `key` into
 * `out` at `outOffset` (32 bytes). `out` may be `data` itself: a frame's MAC
 * goes right after the bytes it covers, with no copy and no allocation.
 */
export function hmacSha256Into(key: Uint8Array, data: Uint8Array, length: number, out: Uint8Array, outOffset: number): void {
  digest(key, data, length)
  writeDigest(state, out, outOffset)
}

/**
 * True if `mac` is the HMAC-SHA256 of `data` under `key`. The comparison is
 * constant-time: every word is compared, differences are accumulated with no
 * branch on them. A `mac` of the wrong length is false, not an error; its
 * length is public anyway, so returning early on it leaks nothing.
 */
export function verifyHmacSha256(key: Uint8Array, data: Uint8Array, mac: Uint8Array): boolean {
  if (mac.byteLength !== hmacSha256Bytes) return false
  digest(key, data)
  let difference = 0
  for (let i = 0; i < 8; i++) {
    const j = 4 * i
    difference |= state[i]! ^ ((mac[j]! << 24) | (mac[j + 1]! << 16) | (mac[j + 2]! << 8) | mac[j + 3]!)
  }
  return difference === 0
}

/**
 * Whether node:crypto is present (Node: yes; a browser: no). The beater signs
 * synchronously where it is and, by default, with WebCrypto where it is not.
 */
export function hasSyncHmac(): boolean {
  return nodeCrypto !== undefined
}
