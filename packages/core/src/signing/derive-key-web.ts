/**
 * `deriveKey` over WebCrypto, for browsers and runtimes without node:crypto.
 * Same derivation and bytes as `derive-key.ts` (PROTOCOL §5).
 */
import { webSubtle } from './hmac-web.js'
import { peerIdBytes, peerKeySalt, toKeyBytes } from './key-material.js'
import type { KeyInput } from './key-material.js'

/**
 * The key of one peer: `HKDF-SHA256(ikm = master, salt = "hb/v1/peer-key",
 * info = UTF-8(peerId), L = 32)`, as 32 bytes. Nothing is cached: each call
 * imports `master` and runs one HKDF.
 *
 * Rejects (never throws) with `HB_ERR_CONFIG` if `master` is empty, `peerId` is
 * not a well-formed string of 1–255 UTF-8 bytes, or WebCrypto is missing.
 */
export async function deriveKeyWeb(master: KeyInput, peerId: string): Promise<Uint8Array> {
  const ikm = toKeyBytes(master, 'master key')
  const info = peerIdBytes(peerId)
  const subtle = webSubtle()
  const baseKey = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
  const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: peerKeySalt, info }, baseKey, 256)
  return new Uint8Array(bits)
}
