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
 *
 * A frame from here is a view: use its `byteOffset` and `byteLength`, never
 * its `.buffer` alone (that is the whole slab, other frames' bytes included).
 */

/**
 * Slab size: a dozen binary acks per allocation. Small on purpose: a view
 * queued on a socket pins its whole slab, so a peer that never reads could
 * hold SLAB_BYTES per queued ack; connection adapters copy a frame once their
 * socket is backed up (see `ownCopyWhenQueued`), which bounds that to about
 * one slab's worth of acks per connection.
 */
const SLAB_BYTES = 1024
/** Frames bigger than this get their own array. */
const MAX_SLAB_FRAME = 256

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

/** Bytes a socket may have queued before `ownCopyWhenQueued` copies: about one slab. */
const QUEUED_COPY_BYTES = SLAB_BYTES

/**
 * `frame`, or a copy of it with a backing store of its own when `queuedBytes`
 * (what the socket already holds unsent) is a slab or more: a frame that will
 * wait in a write queue must not pin a slab of other frames' bytes.
 */
export function ownCopyWhenQueued(frame: Uint8Array, queuedBytes: number): Uint8Array {
  return queuedBytes >= QUEUED_COPY_BYTES ? new Uint8Array(frame) : frame
}
