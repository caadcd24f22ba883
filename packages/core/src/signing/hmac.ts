/**
 * HMAC-SHA256 (RFC 2104): the MAC of every frame (PROTOCOL §4), computed
 * synchronously. Browsers may use `hmac-web.ts` instead; both give the same bytes.
 *
 * This is the receive hot path (one verification and one signed ack per frame,
 * 100k+ frames a second). HMAC is H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); the two
 * padded key blocks are the same for every frame under one key, so their
 * compressed SHA-256 states are prepared once per key (a WeakMap keyed by the
 * key array) and a frame costs only the compressions of its own bytes, in
 * plain JavaScript (`sha256.ts`). Which is faster depends on the CPU: on an
 * AMD EPYC with SHA-NI (2026-11-29) the JavaScript HMAC of a beat took
 * ~670 ns against ~1000 ns for two one-shot native `crypto.hash` calls over
 * precomputed pads (and ~1340 ns for `createHmac`), because each native call
 * costs more in argument checks and Buffer allocation than SHA-NI saves on
 * three compressions. A CPU with a faster native path may rank them the other
 * way, so each process measures both once, at its first MAC (bounded: a few
 * thousand MACs, under ~15 ms), and keeps the JavaScript one unless the native
 * one is clearly faster (see {@link chooseHmacBackend}). Both give the same bytes.
 */
import { absorbFinal, absorbFinalDigest, compressBlock, finishSha256, SHA256_INITIAL_STATE, writeDigest } from './sha256.js'
import { nodeCrypto } from './node-crypto.js'
import { systemClock } from '../time/clock.js'

/** Length of an HMAC-SHA256 output, and of every frame's `mac`, in bytes. */
export const hmacSha256Bytes = 32

const BLOCK = 64

interface PreparedKey {
  /** The key's bytes when it was prepared, to notice a caller writing to the array later. */
  readonly bytes: Uint8Array
  /** SHA-256 state after absorbing K ⊕ ipad. */
  readonly inner: Int32Array
  /** SHA-256 state after absorbing K ⊕ opad. */
  readonly outer: Int32Array
  /** K ⊕ ipad (the native path hashes it in front of the message). */
  readonly innerPad: Uint8Array
  /** K ⊕ opad, then 32 bytes of room for the inner digest (the native path's second hash input). */
  readonly outerInput: Uint8Array
}

/** Where MACs are computed: `sha256.ts` (`'js'`) or two one-shot node:crypto hashes (`'node'`). */
export type HmacBackend = 'js' | 'node'

/** What {@link chooseHmacBackend} measured: best time per MAC of each path, ns, and the pick. */
export interface HmacCalibration {
  readonly backend: HmacBackend
  readonly jsNs: number
  /** NaN where node:crypto has no one-shot `hash` (a browser, an older Node): then `'js'`. */
  readonly nodeNs: number
}

const prepared = new WeakMap<Uint8Array, PreparedKey>()
const state = new Int32Array(8)
const innerDigest = new Int32Array(8)

function sha256(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(hmacSha256Bytes)
  state.set(SHA256_INITIAL_STATE)
  finishSha256(state, 0, message, out, 0)
  return out
}

/** True if `key` still holds the bytes it was prepared from (constant-time: it compares secrets). */
function unchanged(entry: PreparedKey, key: Uint8Array): boolean {
  const { bytes } = entry
  if (bytes.length !== key.length) return false
  let difference = 0
  for (let i = 0; i < bytes.length; i++) difference |= bytes[i]! ^ key[i]!
  return difference === 0
}

function prepare(key: Uint8Array): PreparedKey {
  let entry = prepared.get(key)
  // Cached by the array's identity, so re-checked by content: a caller that changed
  // the key's bytes in place gets the MAC of the new bytes, never a stale one.
  if (entry !== undefined && unchanged(entry, key)) return entry
  // RFC 2104: a key longer than the block is hashed first; a shorter one is zero-padded.
  const block = new Uint8Array(BLOCK)
  block.set(key.byteLength > BLOCK ? sha256(key) : key)
  const pad = new Uint8Array(BLOCK)
  const inner = Int32Array.from(SHA256_INITIAL_STATE)
  const outer = Int32Array.from(SHA256_INITIAL_STATE)
  for (let i = 0; i < BLOCK; i++) pad[i] = block[i]! ^ 0x36
  compressBlock(inner, pad, 0)
  for (let i = 0; i < BLOCK; i++) pad[i] = block[i]! ^ 0x5c
  compressBlock(outer, pad, 0)
  const innerPad = new Uint8Array(BLOCK)
  const outerInput = new Uint8Array(BLOCK + hmacSha256Bytes)
  for (let i = 0; i < BLOCK; i++) {
    innerPad[i] = block[i]! ^ 0x36
    outerInput[i] = block[i]! ^ 0x5c
  }
  // new Uint8Array(…), not slice(): a Buffer key's slice() shares its memory, and a change
  // in place would then go unnoticed.
  entry = { bytes: new Uint8Array(key), inner, outer, innerPad, outerInput }
  prepared.set(key, entry)
  return entry
}

const oneShotHash = typeof nodeCrypto?.hash === 'function' ? nodeCrypto.hash : undefined
let nativeInput = new Uint8Array(2 * BLOCK)

/** The native path: SHA-256(K ⊕ opad ‖ SHA-256(K ⊕ ipad ‖ m)) with two one-shot hashes, left in `state`. */
function digestNative(entry: PreparedKey, data: Uint8Array, length: number, hash: NonNullable<typeof oneShotHash>): void {
  if (nativeInput.length < BLOCK + length) nativeInput = new Uint8Array(2 * (BLOCK + length))
  nativeInput.set(entry.innerPad, 0)
  nativeInput.set(length === data.length ? data : data.subarray(0, length), BLOCK)
  const { outerInput } = entry
  outerInput.set(hash('sha256', nativeInput.subarray(0, BLOCK + length), 'buffer') as Buffer, BLOCK)
  const mac = hash('sha256', outerInput, 'buffer') as Buffer
  for (let i = 0; i < 8; i++) {
    const j = 4 * i
    state[i] = (mac[j]! << 24) | (mac[j + 1]! << 16) | (mac[j + 2]! << 8) | mac[j + 3]!
  }
}

/** The JavaScript path: the prepared midstates, then the message's own compressions. */
function digestJs(entry: PreparedKey, data: Uint8Array, length: number): void {
  state.set(entry.inner)
  absorbFinal(state, BLOCK, data, length)
  innerDigest.set(state)
  state.set(entry.outer)
  absorbFinalDigest(state, innerDigest)
}

/** `undefined` until the first MAC calibrates (or a caller sets it). */
let backend: HmacBackend | undefined
/** Set by `setHmacBackend`: calibration then measures but never overrides it. */
let forced: HmacBackend | undefined
let calibration: HmacCalibration | undefined

/**
 * The first calibration runs at the first MAC, when the JavaScript path may
 * still be only partly optimised (a busy machine cuts the warm-up short), and
 * a process that judged it cold would pay native calls on every frame for
 * good: once this many MACs later, when it is surely hot, the choice is made
 * again, once. Seen on a loaded AMD EPYC (2026-11-29): a UDP monitor on the
 * native path while the JavaScript one was ~35% faster.
 */
const RECHECK_AFTER_MACS = 50_000
let recheckIn = RECHECK_AFTER_MACS
/** True once the re-check is due or done: it skips the warm-up. */
let rechecked = false

/** Leaves the HMAC of `data` (its first `length` bytes) under `key` in `state`, as eight big-endian words. */
function digest(key: Uint8Array, data: Uint8Array, length: number = data.length): void {
  const entry = prepare(key)
  if (recheckIn > 0 && --recheckIn === 0 && forced === undefined) {
    calibration = undefined
    backend = undefined
    rechecked = true
  }
  if ((backend ?? chooseHmacBackend().backend) === 'node' && oneShotHash !== undefined) digestNative(entry, data, length, oneShotHash)
  else digestJs(entry, data, length)
}

/** A native MAC must be this much faster than the JavaScript one to be picked: noise never flips a near tie. */
const NATIVE_MARGIN = 0.8
const CALIBRATION_ROUNDS = 8
const CALIBRATION_BATCH = 32
/**
 * MACs run on each path before measuring: the JavaScript path is interpreted
 * until V8 optimizes it, and measured cold it would lose to native code it
 * beats once warm (as it is for the rest of the process).
 */
const CALIBRATION_WARM_UP = 3000
/** The re-check's warm-up (see `chooseHmacBackend`). */
const RECHECK_WARM_UP = 600
/** Calibration stops after this long whatever it measured (a slow or busy machine). */
const CALIBRATION_BUDGET_MS = 15

/**
 * Measures both paths on this CPU and picks one (run by the first MAC, and
 * once more 50 000 MACs later, when the JavaScript path is hot; other calls
 * return the last result). Bounded: a warm-up of up to 3000 MACs (600 at the
 * re-check), then at most 8 alternating rounds of 32 MACs
 * per path over a beat-sized message, all cut short after ~15 ms. The figure per path is its best batch (the minimum
 * filters out preemption on a shared machine). Deterministic fallback: the
 * JavaScript path, unless node:crypto has a one-shot `hash` and it was at
 * least 20% faster; the bytes are the same either way.
 */
export function chooseHmacBackend(): HmacCalibration {
  if (calibration !== undefined) return calibration
  let jsNs = Infinity
  let nodeNs = NaN
  const hash = oneShotHash
  const key = new Uint8Array(32).fill(0x6b)
  const message = new Uint8Array(43).fill(0x6d)
  const entry = prepare(key)
  // A CPU measurement, not a deadline: the system clock's monotonic milliseconds, never a fake clock.
  const clockNow = (): number => systemClock.now()
  const started = clockNow()
  if (hash !== undefined) nodeNs = Infinity
  // At the re-check, only the path in use is hot (the other has not run since the first
  // choice, and V8 may have dropped its code): a short warm-up of both, about 1 ms,
  // instead of the first calibration's up to half the budget.
  const warmUp = rechecked ? RECHECK_WARM_UP : CALIBRATION_WARM_UP
  for (let i = 0; i < warmUp && clockNow() - started < CALIBRATION_BUDGET_MS / 2; i++) {
    digestJs(entry, message, message.length)
    if (hash !== undefined && (i & 1) === 0) digestNative(entry, message, message.length, hash)
  }
  for (let round = 0; round < CALIBRATION_ROUNDS && clockNow() - started < CALIBRATION_BUDGET_MS; round++) {
    let t = clockNow()
    for (let i = 0; i < CALIBRATION_BATCH; i++) digestJs(entry, message, message.length)
    jsNs = Math.min(jsNs, ((clockNow() - t) * 1e6) / CALIBRATION_BATCH)
    if (hash === undefined) continue
    t = clockNow()
    for (let i = 0; i < CALIBRATION_BATCH; i++) digestNative(entry, message, message.length, hash)
    nodeNs = Math.min(nodeNs, ((clockNow() - t) * 1e6) / CALIBRATION_BATCH)
  }
  const picked: HmacBackend = hash !== undefined && nodeNs < NATIVE_MARGIN * jsNs ? 'node' : 'js'
  calibration = { backend: forced ?? picked, jsNs, nodeNs }
  backend = calibration.backend
  return calibration
}

/**
 * Forces a path (tests compare both against the vectors), or `undefined` to
 * calibrate again at the next MAC. `'node'` without a one-shot `hash` in
 * node:crypto computes with JavaScript.
 */
export function setHmacBackend(next: HmacBackend | undefined): void {
  forced = next
  backend = next
  calibration = undefined
  recheckIn = RECHECK_AFTER_MACS
  rechecked = false
}

/**
 * HMAC-SHA256 of `data` under `key`: 32 bytes. Any key length is valid, as in
 * RFC 2104. The result is a fresh array the caller owns.
 *
 * Keys are remembered by identity (a WeakMap) and re-checked by content, so
 * pass the same `Uint8Array` for the same key; a fresh array per call still
 * works, only slower, and writing to a key array in place is safe (the next
 * MAC uses the new bytes).
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(hmacSha256Bytes)
  digest(key, data)
  writeDigest(state, out, 0)
  return out
}

/**
 * Writes the HMAC-SHA256 of `data`'s first `length` bytes under `key` into
 * `out` at `outOffset` (32 bytes). `out` may be `data` itself: a frame's MAC
 * goes right after the bytes it covers, with no copy and no allocation.
 */
export function hmacSha256Into(key: Uint8Array, data: Uint8Array, length: number, out: Uint8Array, outOffset: number): void {
  digest(key, data, length)
  writeDigest(state, out, outOffset)
}

/**
 * True if `mac` is the HMAC-SHA256 of `data` under `key`. The comparison is
 * constant-time: every word is compared, differences are accumulated with no
 * branch on them. A `mac` of the wrong length is false, not an error; its
 * length is public anyway, so returning early on it leaks nothing.
 */
export function verifyHmacSha256(key: Uint8Array, data: Uint8Array, mac: Uint8Array): boolean {
  if (mac.byteLength !== hmacSha256Bytes) return false
  digest(key, data)
  let difference = 0
  for (let i = 0; i < 8; i++) {
    const j = 4 * i
    difference |= state[i]! ^ ((mac[j]! << 24) | (mac[j + 1]! << 16) | (mac[j + 2]! << 8) | mac[j + 3]!)
  }
  return difference === 0
}

/**
 * Whether node:crypto is present (Node: yes; a browser: no). The beater signs
 * synchronously where it is and, by default, with WebCrypto where it is not.
 */
export function hasSyncHmac(): boolean {
  return nodeCrypto !== undefined
}
