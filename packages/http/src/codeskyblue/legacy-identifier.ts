/**
 * Which codeskyblue identifiers the endpoint serves. Checked before the MAC:
 * these rules hold whoever signed the request.
 */

/** Most UTF-8 bytes of an hb peer id (PROTOCOL.md §2). */
const MAX_PEER_ID_BYTES = 255

// In a `u` regex a surrogate range matches only lone surrogates (a proper pair is one code point).
const loneSurrogate = /[\uD800-\uDFFF]/u
const utf8 = new TextEncoder()

/**
 * True for an identifier that can be an hb peer id and cannot be confused with
 * another message: no `:` (the MAC covers `timestamp + ":" + identifier`, so
 * `a:b` at `t` would sign `b` at `t:a`), not `timestamp` (every server answer
 * is a valid beat MAC for it), well-formed Unicode of 1–255 UTF-8 bytes.
 */
export function isServableIdentifier(identifier: string): boolean {
  if (identifier.length === 0 || identifier.length > MAX_PEER_ID_BYTES) return false
  if (identifier.includes(':') || identifier === 'timestamp' || loneSurrogate.test(identifier)) return false
  return utf8.encode(identifier).length <= MAX_PEER_ID_BYTES
}
