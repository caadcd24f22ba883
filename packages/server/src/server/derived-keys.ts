/**
 * Per-peer keys for a monitor: each peer's key is `deriveKey(master, id)`
 * (what `hb derive-key` prints), cached so a frame costs a map lookup, not an
 * HKDF. The cache is bounded, least recently used first out: ids are chosen
 * by whoever sends a frame, so an unbounded cache would be a memory leak an
 * attacker could drive.
 */
import { deriveKey } from '@hb/core'
import type { KeyInput, PeerKeyFunction } from '@hb/core'

/** A key function over `master` with at most `maxEntries` derived keys kept. */
export function createDerivedKeyFunction(master: KeyInput, maxEntries: number): PeerKeyFunction {
  // Fail now on a bad master key, not at the first frame.
  deriveKey(master, 'hb-check')
  const cache = new Map<string, Uint8Array>()
  return (peerId, keyId) => {
    // Derived keys sign with the empty key id (PROTOCOL §5); any other names a key we do not have.
    if (keyId !== '') return undefined
    let key = cache.get(peerId)
    if (key !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it most recent.
      cache.delete(peerId)
    } else {
      try {
        key = deriveKey(master, peerId)
      } catch {
        // An id deriveKey refuses (not well-formed UTF-8) has no key: the frame is rejected as unknown-key.
        return undefined
      }
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string)
    }
    cache.set(peerId, key)
    return key
  }
}
