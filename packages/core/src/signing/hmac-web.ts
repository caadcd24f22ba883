/**
 * HMAC-SHA256 over WebCrypto (`globalThis.crypto.subtle`), for browsers and any
 * runtime without node:crypto. Same bytes as `hmac.ts`; asynchronous because
 * WebCrypto is. No `node:` imports, so bundlers can ship it to a browser.
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'

// The MAC length; hmac.ts exports it too, but importing that file would pull in node:crypto.
const hmacSha256Bytes = 32

/**
 * The part of WebCrypto's `SubtleCrypto` hb uses, declared structurally so this
 * file compiles without the DOM lib and does not care whose typings are loaded.
 * @internal
 */
export interface SubtleCryptoLike {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' } | 'HKDF',
    extractable: false,
    keyUsages: Array<'sign' | 'verify' | 'deriveBits'>,
  ): Promise<unknown>
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>
  verify(algorithm: 'HMAC', key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>
  deriveBits(
    algorithm: { name: 'HKDF'; hash: 'SHA-256'; salt: Uint8Array; info: Uint8Array },
    baseKey: unknown,
    length: number,
  ): Promise<ArrayBuffer>
}

/**
 * `globalThis.crypto.subtle`, looked up on every call (not at import) so that a
 * test or polyfill can install it late.
 * @internal
 * @throws HeartbeatError `HB_ERR_CONFIG` where WebCrypto is missing (browsers
 * expose `crypto.subtle` only in secure contexts: https or localhost).
 */
export function webSubtle(): SubtleCryptoLike {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCryptoLike } }).crypto?.subtle
  if (subtle === undefined || subtle === null) {
    throw new HeartbeatError(
      'HB_ERR_CONFIG',
      'WebCrypto is not available (globalThis.crypto.subtle is missing); browsers provide it only in secure contexts (https, localhost)',
    )
  }
  return subtle
}

// One imported CryptoKey per key array. The promise is cached, not the key, so
// that concurrent first uses share one import. Keyed weakly: a key array that is
// dropped takes its CryptoKey with it. importKey copies the bytes, so the cache
// assumes (as hb's key ring and resolver guarantee) that key arrays are not
// written after first use.
const importedKeys = new WeakMap<Uint8Array, Promise<unknown>>()

// WebCrypto refuses zero-length HMAC keys (DataError), while RFC 2104 and node:crypto
// accept them. HMAC zero-pads every key shorter than the 64-byte block, so the empty
// key and a single zero byte are the same key; using the latter keeps both paths equal.
const zeroKey = new Uint8Array(1)

function hmacKey(subtle: SubtleCryptoLike, key: Uint8Array): Promise<unknown> {
  let imported = importedKeys.get(key)
  if (imported === undefined) {
    imported = subtle.importKey(
      'raw',
      key.byteLength === 0 ? zeroKey : key,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    const pending = imported
    importedKeys.set(key, pending)
    // A failed import must not poison the cache; the caller still sees the rejection.
    pending.catch(() => {
      if (importedKeys.get(key) === pending) importedKeys.delete(key)
    })
  }
  return imported
}

/** HMAC-SHA256 of `data` under `key` (32 bytes), through WebCrypto. Same output as `hmacSha256`. */
export async function hmacSha256Web(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const subtle = webSubtle()
  return new Uint8Array(await subtle.sign('HMAC', await hmacKey(subtle, key), data))
}

/**
 * True if `mac` is the HMAC-SHA256 of `data` under `key`. `subtle.verify`
 * compares in constant time. A `mac` of the wrong length resolves to false.
 */
export async function verifyHmacSha256Web(key: Uint8Array, data: Uint8Array, mac: Uint8Array): Promise<boolean> {
  if (mac.byteLength !== hmacSha256Bytes) return false
  const subtle = webSubtle()
  return subtle.verify('HMAC', await hmacKey(subtle, key), mac, data)
}
