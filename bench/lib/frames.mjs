/**
 * Pre-signed frames for the load generators.
 *
 * Load generators sign every frame before a trial starts (never while
 * sending), so a trial measures the receiver, not the signer. Signing
 * hundreds of thousands of frames per trial with `signFrame` costs seconds,
 * so this module keeps one canonical template per peer, patches the numbers
 * in place (PROTOCOL.md §2 layout) and computes the HMAC from precomputed
 * pads with two one-shot hashes. `checkAgainstCore()` proves on startup that
 * the result is byte-for-byte what `@hb/core`'s `signFrame` produces, so the
 * shortcut can never send frames the monitor would not accept for real.
 */
import { createHash, createHmac, hash as oneShotHash } from 'node:crypto'
import { encodeCanonical, encodeJsonFrame, signFrame } from '@hb/core/protocol'

/** The shared secret of every scenario. */
export const SECRET = 'hb-bench-secret, not for production use'
const secretBytes = new TextEncoder().encode(SECRET)

/** A 16-character peer id: `prefix` then `index` in base 36, zero-padded. */
export function peerId(prefix, index) {
  const digits = index.toString(36)
  return prefix + '0'.repeat(16 - prefix.length - digits.length) + digits
}

// Canonical layout (PROTOCOL.md §2): incarnation u48 at 4, seq u32 at 10, timestamp u48 at 14.
const INCARNATION_AT = 4
const SEQ_AT = 10
const TIMESTAMP_AT = 14
const TWO_POW_32 = 2 ** 32
const BLOCK = 64

function writeU32(bytes, at, value) {
  bytes[at] = value >>> 24
  bytes[at + 1] = (value >>> 16) & 0xff
  bytes[at + 2] = (value >>> 8) & 0xff
  bytes[at + 3] = value & 0xff
}

function writeU48(bytes, at, value) {
  const high = Math.floor(value / TWO_POW_32)
  bytes[at] = high >>> 8
  bytes[at + 1] = high & 0xff
  writeU32(bytes, at + 2, value >>> 0)
}

const digest = typeof oneShotHash === 'function'
  ? (data) => oneShotHash('sha256', data, 'buffer')
  : (data) => createHash('sha256').update(data).digest()

/**
 * A frame maker: `make({ type, peerId, incarnation, seq, timestampMs, intervalMs? })`
 * returns a signed frame (`Uint8Array`, binary) or its JSON text as bytes (`json`).
 * Only `hello` and `beat` (without `rttMs`) are supported: that is all a load generator sends.
 * `cachePeers: false` keeps no per-peer template (for a process whose memory is measured).
 */
export function createFrameMaker(encoding = 'binary', { cachePeers = true } = {}) {
  if (secretBytes.length > BLOCK) throw new Error('bench secret must fit one HMAC block')
  const innerPad = Buffer.alloc(BLOCK, 0x36)
  const outer = Buffer.alloc(BLOCK + 32, 0x5c)
  for (let i = 0; i < secretBytes.length; i++) {
    innerPad[i] ^= secretBytes[i]
    outer[i] ^= secretBytes[i]
  }
  const templates = { hello: new Map(), beat: new Map() }
  const utf8 = new TextEncoder()

  return function make(fields) {
    const byPeer = templates[fields.type]
    let template = byPeer.get(fields.peerId)
    if (template === undefined) {
      const canonical = encodeCanonical({ ...fields, incarnation: 0, seq: 0, timestampMs: 0 })
      template = Buffer.alloc(BLOCK + canonical.length)
      innerPad.copy(template)
      template.set(canonical, BLOCK)
      if (cachePeers) byPeer.set(fields.peerId, template)
    }
    writeU48(template, BLOCK + INCARNATION_AT, fields.incarnation)
    writeU32(template, BLOCK + SEQ_AT, fields.seq)
    writeU48(template, BLOCK + TIMESTAMP_AT, fields.timestampMs)
    if (fields.type === 'hello') writeU32(template, template.length - 4, fields.intervalMs)
    outer.set(digest(template), BLOCK)
    const mac = digest(outer)
    if (encoding === 'json') return utf8.encode(encodeJsonFrame(fields, new Uint8Array(mac)))
    const frame = new Uint8Array(template.length - BLOCK + 32)
    frame.set(template.subarray(BLOCK))
    frame.set(mac, frame.length - 32)
    return frame
  }
}

/** Throws unless the fast maker and `@hb/core`'s `signFrame` agree byte for byte. */
export function checkAgainstCore() {
  for (const encoding of ['binary', 'json']) {
    const make = createFrameMaker(encoding)
    const samples = [
      { type: 'hello', peerId: peerId('c', 1), keyId: '', incarnation: 7, seq: 0, timestampMs: Date.now(), intervalMs: 5000 },
      { type: 'beat', peerId: peerId('c', 1), keyId: '', incarnation: 2 ** 40 + 3, seq: 2 ** 32 - 2, timestampMs: Date.now() },
      { type: 'beat', peerId: peerId('c', 2), keyId: '', incarnation: 1, seq: 12345, timestampMs: 2 ** 47 },
    ]
    for (const fields of samples) {
      const fast = Buffer.from(make(fields))
      const core = Buffer.from(signFrame(fields, secretBytes, encoding))
      if (!fast.equals(core)) throw new Error(`frame maker disagrees with signFrame (${encoding}, ${fields.type})`)
    }
  }
  // The pads above are HMAC itself; make sure a plain HMAC agrees too.
  const canonical = encodeCanonical({ type: 'beat', peerId: 'x', keyId: '', incarnation: 1, seq: 1, timestampMs: 1 })
  const reference = createHmac('sha256', secretBytes).update(canonical).digest()
  const frame = createFrameMaker('binary')({ type: 'beat', peerId: 'x', keyId: '', incarnation: 1, seq: 1, timestampMs: 1 })
  if (!reference.equals(Buffer.from(frame.subarray(frame.length - 32)))) throw new Error('frame maker HMAC is wrong')
}
