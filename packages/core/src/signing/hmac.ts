/**
 * HMAC-SHA256 over node:crypto: the MAC of every frame (PROTOCOL §4). Node only;
 * browsers use `hmac-web.ts`, which gives the same bytes.
 *
 * This is the receive hot path (one verification and one signed ack per frame,
 * 100k+ frames a second). HMAC is computed from its definition,
 * H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with the padded key blocks prepared once
 * per key (a WeakMap keyed by the key array) and two one-shot `crypto.hash`
 * calls: measured about 1.3× the rate of `createHmac(...).update().digest()`,
 * which builds and tears down a native HMAC object per frame.
 */
import { requireNodeCrypto } from './node-crypto.js'
import type { NodeCrypto } from './node-crypto.js'

/** Length of an HMAC-SHA256 output, and of every frame's `mac`, in bytes. */
export const hmacSha256Bytes = 32

const BLOCK = 64
// Longest message signed on the hot path without allocating: any frame's canonical bytes.
const SCRATCH_MESSAGE = 2048

interface PreparedKey {
  /** K ⊕ ipad followed by room for the message. */
  readonly inner: Buffer
  /** K ⊕ opad followed by room for the inner digest. */
  readonly outer: Buffer
}

let crypto: NodeCrypto | undefined
const prepared = new WeakMap<Uint8Array, PreparedKey>()

function prepare(key: Uint8Array): PreparedKey {
  let entry = prepared.get(key)
  if (entry !== undefined) return entry
  crypto ??= requireNodeCrypto('hmacSha256')
  // RFC 2104: a key longer than the block is hashed first; a shorter one is zero-padded.
  const block = Buffer.alloc(BLOCK)
  if (key.byteLength > BLOCK) block.set(crypto.hash('sha256', key, 'buffer'))
  else block.set(key)
  const inner = Buffer.alloc(BLOCK + SCRATCH_MESSAGE)
  const outer = Buffer.alloc(BLOCK + hmacSha256Bytes)
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = (block[i] as number) ^ 0x36
    outer[i] = (block[i] as number) ^ 0x5c
  }
  entry = { inner, outer }
  prepared.set(key, entry)
  return entry
}

function digest(key: Uint8Array, data: Uint8Array): Buffer {
  const { inner, outer } = prepare(key)
  const hash = crypto as NodeCrypto
  let innerDigest: Buffer
  if (data.byteLength <= SCRATCH_MESSAGE) {
    inner.set(data, BLOCK)
    innerDigest = hash.hash('sha256', inner.subarray(0, BLOCK + data.byteLength), 'buffer')
  } else {
    innerDigest = hash.createHash('sha256').update(inner.subarray(0, BLOCK)).update(data).digest()
  }
  outer.set(innerDigest, BLOCK)
  return hash.hash('sha256', outer, 'buffer')
}

/**
 * HMAC-SHA256 of `data` under `key`: 32 bytes. Any key length is valid, as in
 * RFC 2104. The result is a fresh array the caller owns.
 *
 * Keys are remembered by identity (a WeakMap), so pass the same `Uint8Array`
 * for the same key; a fresh array per call still works, only slower.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const mac = digest(key, data)
  // A plain Uint8Array view rather than a Buffer, whose slice() shares memory.
  return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength)
}

/**
 * True if `mac` is the HMAC-SHA256 of `data` under `key`. The comparison is
 * constant-time (`crypto.timingSafeEqual`). A `mac` of the wrong length is
 * false, not an error; its length is public anyway, so returning early on it
 * leaks nothing.
 */
export function verifyHmacSha256(key: Uint8Array, data: Uint8Array, mac: Uint8Array): boolean {
  if (mac.byteLength !== hmacSha256Bytes) return false
  const expected = digest(key, data)
  return (crypto as NodeCrypto).timingSafeEqual(expected, mac)
}

/** Whether this runtime can sign synchronously (Node: yes; a browser: no, use `hmacSha256Web`). */
export function hasSyncHmac(): boolean {
  try {
    crypto ??= requireNodeCrypto('hmacSha256')
    return true
  } catch {
    return false
  }
}
