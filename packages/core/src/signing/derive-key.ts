/**
 * Per-peer keys from one master secret (PROTOCOL §5), over node:crypto. Node only;
 * `derive-key-web.ts` gives the same bytes through WebCrypto.
 */
import { requireNodeCrypto } from './node-crypto.js'
import { peerIdBytes, peerKeySalt, toKeyBytes } from './key-material.js'
import type { KeyInput } from './key-material.js'

/** Length of a derived peer key in bytes. */
export const derivedKeyBytes = 32

/**
 * The key of one peer: `HKDF-SHA256(ikm = master, salt = "hb/v1/peer-key",
 * info = UTF-8(peerId), L = 32)`. Give each peer its own result and a monitor
 * the master (through a key function), and no peer can sign for another.
 *
 * Costs one HKDF (two to three HMACs) per call. Used as a monitor's key function
 * it runs for every frame; cache the results per peer if that matters.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` if `master` is empty or `peerId` is not
 * a well-formed string of 1–255 UTF-8 bytes.
 */
export function deriveKey(master: KeyInput, peerId: string): Uint8Array {
  const ikm = toKeyBytes(master, 'master key')
  const info = peerIdBytes(peerId)
  const { hkdfSync } = requireNodeCrypto('deriveKey')
  return new Uint8Array(hkdfSync('sha256', ikm, peerKeySalt, info, derivedKeyBytes))
}
