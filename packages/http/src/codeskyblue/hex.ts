/**
 * Lower-case hex for the legacy MACs (Go's `hex.EncodeToString`), written
 * here because `@hb/core/protocol` does not export its own: a few lines, so
 * the legacy endpoint needs nothing from the core beyond HMAC.
 */

const byteToHex: string[] = []
for (let i = 0; i < 256; i++) byteToHex.push(i.toString(16).padStart(2, '0'))

/** Value of each ASCII code as a lower-case hex digit, -1 for anything else. */
const digitValue = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) digitValue[i.toString(16).charCodeAt(0)] = i

/** Bytes to lower-case hex, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += byteToHex[bytes[i] as number]
  return out
}

/**
 * Strict inverse of {@link toHex}: an even number of lower-case hex digits and
 * nothing else (no upper case, no `0x`, no whitespace), else `undefined`.
 * Never throws: it reads untrusted form fields.
 */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) {
    const high = digitValue[hex.charCodeAt(2 * i)] ?? -1
    const low = digitValue[hex.charCodeAt(2 * i + 1)] ?? -1
    if (high < 0 || low < 0) return undefined
    out[i] = (high << 4) | low
  }
  return out
}
