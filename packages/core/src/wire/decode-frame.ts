/**
 * One entry point for transports that may carry either encoding (WebSocket,
 * HTTP): tells binary from JSON by the first byte.
 */
import { decodeBinaryFrame } from './binary-codec.js'
import type { DecodeResult } from './frame.js'
import { decodeJsonFrame } from './json-codec.js'

/**
 * Decodes a frame in either encoding. Never throws. Checks `maxFrameBytes`
 * first (`too-large`); then a first byte `0x68` (`h` of the magic) means
 * binary, a first non-whitespace byte `{` means JSON, anything else is
 * `malformed`. The two cannot be confused: JSON never starts with `h`.
 */
export function decodeFrame(bytes: Uint8Array, maxFrameBytes: number): DecodeResult {
  const length = bytes.length
  if (length > maxFrameBytes) {
    return { ok: false, reason: 'too-large', detail: `${length} bytes is over maxFrameBytes (${maxFrameBytes})` }
  }
  if (bytes[0] === 0x68) return decodeBinaryFrame(bytes, maxFrameBytes)
  for (let i = 0; i < length; i++) {
    const byte = bytes[i]
    // JSON whitespace (RFC 8259): space, tab, line feed, carriage return.
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue
    if (byte === 0x7b) return decodeJsonFrame(bytes, maxFrameBytes)
    break
  }
  return { ok: false, reason: 'malformed', detail: 'neither a binary nor a JSON frame' }
}
