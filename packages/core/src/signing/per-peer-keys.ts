/**
 * `perPeerKeys(master)`: the key function for per-peer keys (PROTOCOL.md §5),
 * with each peer's derived key cached. A bare `(id) => deriveKey(master, id)`
 * runs HKDF on every frame and hands out a fresh array each time, so the HMAC
 * key preparation (`hmac.ts`) could never be reused either; this costs one
 * HKDF per peer, then a map lookup.
 *
 * The cache is bounded (least recently used out first): a monitor calls the
 * key function with whatever peer id a frame claims, before its MAC is
 * checked, so forged ids must not grow memory. A forged id costs one HKDF and
 * evicts at most one entry; the frame then fails its MAC.
 */
import { configError } from '../errors/heartbeat-error.js'
import { deriveKey } from './derive-key.js'
import type { KeyInput } from './key-material.js'
import { snapshotKeyBytes } from './key-material.js'
import type { PeerKeyFunction } from './key-resolver.js'

export interface PerPeerKeysOptions {
  /** Most derived keys kept (about 100 bytes each). Default 100 000. */
  max?: number
}

/**
 * A key function giving every peer `deriveKey(master, peerId)`, cached.
 * Pass it as `key` to `createMonitor`; give each beater its own derived key
 * (`deriveKey(master, id)`, or `hb derive-key --id`) as its `secret`.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` if `master` is empty or `max` is not a positive integer.
 */
export function perPeerKeys(master: KeyInput, options: PerPeerKeysOptions = {}): PeerKeyFunction {
  // A copy: later writes to the caller's array cannot change the master behind the cache.
  const masterBytes = snapshotKeyBytes(master, 'master key')
  const max = options.max ?? 100_000
  if (!Number.isInteger(max) || max < 1) throw configError(`max must be a positive integer, got ${String(max)}`)
  const cache = new Map<string, Uint8Array>()
  return (peerId) => {
    let key = cache.get(peerId)
    if (key !== undefined) {
      // Most recently used last: a Map iterates in insertion order.
      cache.delete(peerId)
      cache.set(peerId, key)
      return key
    }
    try {
      key = deriveKey(masterBytes, peerId)
    } catch {
      // An id no key can be derived for (not a valid peer id): no key, so `unknown-key`.
      return undefined
    }
    if (cache.size >= max) cache.delete(cache.keys().next().value as string)
    cache.set(peerId, key)
    return key
  }
}
