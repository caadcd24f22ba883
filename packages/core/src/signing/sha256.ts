/**
 * SHA-256 (FIPS 180-4) compression in plain JavaScript, for HMAC on the
 * receive hot path.
 *
 * Why not node:crypto: a frame's HMAC is three compressions of a short
 * message, and the two native hash calls per HMAC (object setup, argument
 * checks, a Buffer per digest) cost more than the arithmetic. HMAC's padded
 * key blocks are the same for every frame under one key, so their compressed
 * states (the "midstates") are computed once per key, and each frame then
 * costs only the compressions of its own bytes: measured about 2× the rate of
 * the native path. The test suite checks it against the RFC 4231 vectors and
 * against node:crypto on random inputs.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

/** The initial hash value H(0). */
export const SHA256_INITIAL_STATE: Readonly<Int32Array> = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

// The message schedule. Words 0–15 are loaded by the caller of `compressWords`.
const w = new Int32Array(64)

/** Loads the 64-byte block of `bytes` at `offset` into w[0..15], big-endian. */
function loadBlock(bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const j = offset + 4 * i
    w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!
  }
}

/**
 * Compresses the block already in w[0..15] into `state`, in place. The rounds
 * are unrolled by eight with the working variables' roles rotating instead of
 * being shifted along (h = g, g = f, …): same arithmetic, no moves.
 */
function compressWords(state: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!
    const y = w[i - 2]!
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
  }
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  let t1: number
  for (let i = 0; i < 64; i += 8) {
    t1 = (h + ((((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7)))) + (g ^ (e & (f ^ g))) + K[i]! + w[i]!) | 0
    d = (d + t1) | 0
    h = (t1 + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0
    t1 = (g + ((((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7)))) + (f ^ (d & (e ^ f))) + K[i + 1]! + w[i + 1]!) | 0
    c = (c + t1) | 0
    g = (t1 + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) | (b & (h | a)))) | 0
    t1 = (f + ((((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7)))) + (e ^ (c & (d ^ e))) + K[i + 2]! + w[i + 2]!) | 0
    b = (b + t1) | 0
    f = (t1 + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) | (a & (g | h)))) | 0
    t1 = (e + ((((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7)))) + (d ^ (b & (c ^ d))) + K[i + 3]! + w[i + 3]!) | 0
    a = (a + t1) | 0
    e = (t1 + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) | (h & (f | g)))) | 0
    t1 = (d + ((((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7)))) + (c ^ (a & (b ^ c))) + K[i + 4]! + w[i + 4]!) | 0
    h = (h + t1) | 0
    d = (t1 + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) | (g & (e | f)))) | 0
    t1 = (c + ((((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7)))) + (b ^ (h & (a ^ b))) + K[i + 5]! + w[i + 5]!) | 0
    g = (g + t1) | 0
    c = (t1 + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) | (f & (d | e)))) | 0
    t1 = (b + ((((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7)))) + (a ^ (g & (h ^ a))) + K[i + 6]! + w[i + 6]!) | 0
    f = (f + t1) | 0
    b = (t1 + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) | (e & (c | d)))) | 0
    t1 = (a + ((((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7)))) + (h ^ (f & (g ^ h))) + K[i + 7]! + w[i + 7]!) | 0
    e = (e + t1) | 0
    a = (t1 + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) | (d & (b | c)))) | 0
  }
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

/** Compresses one 64-byte block of `bytes` at `offset` into `state`, in place. */
export function compressBlock(state: Int32Array, bytes: Uint8Array, offset: number): void {
  loadBlock(bytes, offset)
  compressWords(state)
}

/**
 * Absorbs the first `length` bytes of `message` (default: all of them) into
 * `state`, which has already absorbed `prefixBytes` bytes (a multiple of 64:
 * a midstate), padding included: afterwards `state`
 * holds the digest as eight big-endian words. The padding is built in the
 * schedule words directly, so nothing is copied or allocated.
 */
export function absorbFinal(state: Int32Array, prefixBytes: number, message: Uint8Array, length: number = message.length): void {
  let offset = 0
  for (; offset + 64 <= length; offset += 64) compressBlock(state, message, offset)
  const rest = length - offset
  const whole = rest >>> 2
  let i = 0
  for (; i < whole; i++) {
    const j = offset + 4 * i
    w[i] = (message[j]! << 24) | (message[j + 1]! << 16) | (message[j + 2]! << 8) | message[j + 3]!
  }
  // The 0–3 bytes left, then the 0x80 that starts the padding, in one word.
  let word = 0
  const left = rest & 3
  for (let k = 0, j = offset + 4 * whole; k < left; k++, j++) word |= message[j]! << (24 - 8 * k)
  w[i++] = word | (0x80 << (24 - 8 * left))
  if (i > 14) {
    // No room for the 64-bit length: it goes in a block of its own.
    while (i < 16) w[i++] = 0
    compressWords(state)
    i = 0
  }
  while (i < 14) w[i++] = 0
  // Message length in bits, big-endian in the last two words (< 2^53 here).
  const bits = (prefixBytes + length) * 8
  w[14] = Math.floor(bits / 0x1_0000_0000)
  w[15] = bits | 0
  compressWords(state)
}

/**
 * Absorbs a 32-byte message given as the eight words of `digest` (a SHA-256
 * state: HMAC's inner hash) into `state`, which has absorbed one 64-byte
 * block; afterwards `state` holds the digest. One compression, no bytes.
 */
export function absorbFinalDigest(state: Int32Array, digest: Int32Array): void {
  for (let i = 0; i < 8; i++) w[i] = digest[i]!
  w[8] = 0x80 << 24
  for (let i = 9; i < 15; i++) w[i] = 0
  w[15] = (64 + 32) * 8
  compressWords(state)
}

/** Writes the eight words of `state` to `out` at `outOffset`, big-endian: 32 bytes. */
export function writeDigest(state: Int32Array, out: Uint8Array, outOffset: number): void {
  for (let i = 0; i < 8; i++) {
    const v = state[i]!
    const j = outOffset + 4 * i
    out[j] = v >>> 24
    out[j + 1] = v >>> 16
    out[j + 2] = v >>> 8
    out[j + 3] = v
  }
}

/**
 * Finishes a hash whose `state` has already absorbed `prefixBytes` bytes (a
 * multiple of 64: a midstate) with `message`, writing the 32-byte digest to
 * `out` at `outOffset`. `state` is overwritten.
 */
export function finishSha256(state: Int32Array, prefixBytes: number, message: Uint8Array, out: Uint8Array, outOffset: number): void {
  absorbFinal(state, prefixBytes, message)
  writeDigest(state, out, outOffset)
}
