/**
 * Builds a signed frame in the encoding a transport carries (PROTOCOL.md §2–§4).
 */
import { encodeCanonical } from './binary-codec.js'
import type { FrameFields } from './frame.js'
import { MAC_BYTES } from './frame.js'
import { encodeJsonFrame } from './json-codec.js'
import { hmacSha256 } from './signing/hmac.js'
import type { FrameEncoding } from './transport.js'

const utf8 = new TextEncoder()

export function signFrame(fields: FrameFields, key: Uint8Array, encoding: FrameEncoding): Uint8Array {
  const canonical = encodeCanonical(fields)
  const mac = hmacSha256(key, canonical)
  if (encoding === 'json') return utf8.encode(encodeJsonFrame(fields, mac))
  const out = new Uint8Array(canonical.length + MAC_BYTES)
  out.set(canonical, 0)
  out.set(mac, canonical.length)
  return out
}
