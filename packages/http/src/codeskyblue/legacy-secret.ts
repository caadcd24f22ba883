/**
 * The Go clients' shared secret as key bytes, taken once at startup.
 */
import { configError } from '@hb/core/adapter'
import type { KeyInput } from '@hb/core'

/**
 * The bytes of `secret` (a string as UTF-8), copied, so a later write to the
 * caller's array cannot change a key configured once.
 * @throws HeartbeatError `HB_ERR_CONFIG` unless a non-empty string or Uint8Array.
 */
export function legacySecretBytes(secret: KeyInput): Uint8Array {
  let bytes: Uint8Array
  if (typeof secret === 'string') bytes = new TextEncoder().encode(secret)
  else if (secret instanceof Uint8Array) bytes = new Uint8Array(secret)
  else throw configError('secret must be a string or a Uint8Array')
  if (bytes.length === 0) throw configError('secret is empty; an empty key authenticates nothing')
  return bytes
}
