/**
 * HMAC-SHA256 over node:crypto: the MAC of every frame (PROTOCOL §4). Node only;
 * browsers use `hmac-web.ts`, which gives the same bytes.
 *
 * This is the receive hot path (one verification per frame, 100k+ a second), so
 * neither function copies its inputs, caches per key, or allocates beyond what
 * node:crypto does: a cached KeyObject measured within noise of a raw key, and
 * costs a lot for key functions that hand out a fresh array per frame.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Length of an HMAC-SHA256 output, and of every frame's `mac`, in bytes. */
export const hmacSha256Bytes = 32

/**
 * HMAC-SHA256 of `data` under `key`: 32 bytes. Any key length is valid, as in
 * RFC 2104 (longer than 64 bytes: hashed first; shorter: zero-padded). The result
 * is a fresh array the caller owns.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const digest = createHmac('sha256', key).update(data).digest()
  // A view, not a copy: a plain Uint8Array rather than a Buffer (whose slice()
  // shares memory and whose toString() differs) at the cost of one small object.
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

/**
 * True if `mac` is the HMAC-SHA256 of `data` under `key`. The comparison is
 * constant-time (`crypto.timingSafeEqual`). A `mac` of the wrong length is
 * false, not an error; its length is public anyway, so returning early on it
 * leaks nothing.
 */
export function verifyHmacSha256(key: Uint8Array, data: Uint8Array, mac: Uint8Array): boolean {
  if (mac.byteLength !== hmacSha256Bytes) return false
  return timingSafeEqual(createHmac('sha256', key).update(data).digest(), mac)
}
