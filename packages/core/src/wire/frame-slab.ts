/**
 * Small frame buffers carved out of shared slabs.
 *
 * V8 keeps a typed array of at most 64 bytes on the JS heap; a bigger one (a
 * binary ack is 75 bytes) gets its own off-heap backing store, which costs an
 * allocation, external-memory accounting and a finaliser: about 1 µs an ack
 * on the receive path (AMD EPYC, Node 20, 2026-11-29), more than signing it.
 * A view into a shared slab costs a few dozen nanoseconds. Each view keeps its
 * slab alive for as long as someone (a socket's write queue) holds it; a slab
 * is never reused, only replaced when full, so no two frames share bytes.
 */

/** Slab size: a few hundred acks per allocation, small enough that a retained view pins little. */
const SLAB_BYTES = 16 * 1024
/** Frames bigger than this get their own array (rare: JSON acks go through TextEncoder). */
const MAX_SLAB_FRAME = 512

let slab = new ArrayBuffer(SLAB_BYTES)
let used = 0

/** A zero-filled `Uint8Array` of `length` bytes that shares no bytes with any other. */
export function allocFrame(length: number): Uint8Array {
  if (length > MAX_SLAB_FRAME) return new Uint8Array(length)
  if (used + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES)
    used = 0
  }
  const out = new Uint8Array(slab, used, length)
  // Keep every view 8-byte aligned: cheap, and no view straddles another's word.
  used += (length + 7) & ~7
  return out
}
