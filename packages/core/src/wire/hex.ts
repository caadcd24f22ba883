/**
 * Lower-case hex, as used for the JSON `mac` member (PROTOCOL.md §3).
 * Plain loops over tables built once: no Buffer, so it runs in browsers.
 */

const byteToHex: string[] = []
for (let i = 0; i < 256; i++) byteToHex.push(i.toString(16).padStart(2, '0'))

// Value of each ASCII code as a lower-case hex digit, -1 for anything else.
const hexDigitValue = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) hexDigitValue[i.toString(16).charCodeAt(0)] = i

/** Bytes to lower-case hex, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += byteToHex[bytes[i] as number]
  return out
}

/**
 * Strict inverse of `toHex`: an even number of lower-case hex digits, nothing
 * else (no upper case, no `0x`, no whitespace). Returns `undefined` for any
 * other input rather than throwing, so decoders can use it on untrusted text
 * and callers can pick their own error code.
 */
export function fromHex(hex: string): Uint8Array | undefined {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) return undefined
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) {
    const high = hexDigitValue[hex.charCodeAt(2 * i)] ?? -1
    const low = hexDigitValue[hex.charCodeAt(2 * i + 1)] ?? -1
    if (high < 0 || low < 0) return undefined
    out[i] = (high << 4) | low
  }
  return out
}
