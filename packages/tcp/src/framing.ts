/**
 * TCP's one transport-specific encoding: a length prefix. TCP is a byte
 * stream with no message boundaries, so each hb frame travels as a 4-byte
 * big-endian length followed by exactly that many bytes.
 *
 * Pure: no sockets, no timers, no knowledge of what a frame contains (the
 * core parses and verifies frames; this module only finds their edges).
 */
import { HeartbeatError } from '@hb/core'
import { allocFrame } from '@hb/core/adapter'
import type { RejectReason } from '@hb/core'

/** Size of the length prefix in front of every frame. */
export const LENGTH_PREFIX_BYTES = 4

/** The largest length a 4-byte prefix can announce. */
const MAX_ANNOUNCED_LENGTH = 0xffff_ffff

/** Why a stream stopped making sense. Once a decoder fails, the connection is beyond repair. */
export interface FramingError {
  /** `too-large`: the announced length is over `maxFrameBytes`; `malformed`: a zero length. */
  readonly reason: Extract<RejectReason, 'too-large' | 'malformed'>
  /** For logs and `rejected` events; never contains frame contents. */
  readonly detail: string
}

/** Options of {@link createFrameDecoder}. */
export interface FrameDecoderOptions {
  /** The largest frame accepted; a larger announced length fails the stream before any of it is buffered. */
  readonly maxFrameBytes: number
  /**
   * Receives each whole frame, synchronously and in order, without its prefix.
   * The bytes are either a view into the chunk being pushed or a buffer the
   * decoder allocated for that frame alone; the decoder never writes to them
   * again, so a consumer may keep them (at the cost of keeping the chunk alive).
   */
  readonly onFrame: (frame: Uint8Array) => void
}

/** A streaming length-prefix decoder for one connection. */
export interface FrameDecoder {
  /**
   * Feeds the next chunk of the stream, of any size (one byte, or many frames
   * at once). Returns `undefined` while the stream is sound, or the error that
   * ended it: after an error, and after {@link FrameDecoder.close}, further
   * chunks are ignored and the same result comes back.
   */
  push(chunk: Uint8Array): FramingError | undefined
  /**
   * Stops decoding at once, even in the middle of a chunk (the remaining
   * frames are not delivered), and drops buffered bytes. Used when the
   * connection is gone: no frame may follow a link-down. Idempotent.
   */
  close(): void
  /** Bytes reserved for an incomplete frame (prefix bytes received, plus the allocated body): at most `maxFrameBytes + 4`. */
  readonly bufferedBytes: number
}

/**
 * Prefixes one frame with its length, ready for a single socket write (one
 * allocation, so the prefix and the frame leave in the same segment).
 * Throws `HB_ERR_FRAME_TOO_LARGE` for a frame a 4-byte prefix cannot announce.
 */
export function encodeFrame(frame: Uint8Array): Uint8Array {
  if (frame.length > MAX_ANNOUNCED_LENGTH) {
    throw new HeartbeatError('HB_ERR_FRAME_TOO_LARGE', `a ${frame.length}-byte frame does not fit a 4-byte length prefix`)
  }
  // From core's slab: a fresh array over 64 bytes costs V8 an off-heap allocation per ack.
  const length = frame.length
  const out = allocFrame(LENGTH_PREFIX_BYTES + length)
  out[0] = length >>> 24
  out[1] = (length >>> 16) & 0xff
  out[2] = (length >>> 8) & 0xff
  out[3] = length & 0xff
  if (length > 128) out.set(frame, LENGTH_PREFIX_BYTES)
  else for (let i = 0; i < length; i++) out[LENGTH_PREFIX_BYTES + i] = frame[i]!
  return out
}

/**
 * Creates the decoder for one connection. Memory is bounded by
 * `maxFrameBytes + 4` whatever the peer sends: the announced length is checked
 * before a single byte of the frame is kept, so a peer announcing 4 GiB costs
 * nothing but the four bytes that announced it.
 */
export function createFrameDecoder(options: FrameDecoderOptions): FrameDecoder {
  const { maxFrameBytes, onFrame } = options
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1 || maxFrameBytes > MAX_ANNOUNCED_LENGTH) {
    throw new HeartbeatError('HB_ERR_CONFIG', `maxFrameBytes must be an integer from 1 to 2^32-1, got ${String(maxFrameBytes)}`)
  }
  // The prefix may arrive split across chunks: it is gathered here first.
  const prefix = new Uint8Array(LENGTH_PREFIX_BYTES)
  let prefixFilled = 0
  // The frame being assembled across chunks, allocated once its length is known and accepted.
  let body: Uint8Array | undefined
  let bodyFilled = 0
  let failure: FramingError | undefined
  let closed = false

  /** Checks an announced length; on success the caller may expect that many bytes. */
  function admit(length: number): boolean {
    if (length === 0) failure = { reason: 'malformed', detail: 'a frame announced a length of 0' }
    else if (length > maxFrameBytes) failure = { reason: 'too-large', detail: `a frame announced ${length} bytes (maxFrameBytes ${maxFrameBytes})` }
    return failure === undefined
  }

  function push(chunk: Uint8Array): FramingError | undefined {
    if (failure !== undefined || closed) return failure
    let offset = 0
    while (offset < chunk.length && !closed) {
      if (body !== undefined) {
        // Continue a frame that started in an earlier chunk.
        const take = Math.min(body.length - bodyFilled, chunk.length - offset)
        body.set(chunk.subarray(offset, offset + take), bodyFilled)
        bodyFilled += take
        offset += take
        if (bodyFilled === body.length) {
          const frame = body
          body = undefined
          bodyFilled = 0
          onFrame(frame)
        }
        continue
      }
      let length: number
      if (prefixFilled === 0 && chunk.length - offset >= LENGTH_PREFIX_BYTES) {
        // Fast path: the whole prefix is in this chunk.
        length = readLength(chunk, offset)
        offset += LENGTH_PREFIX_BYTES
      } else {
        const take = Math.min(LENGTH_PREFIX_BYTES - prefixFilled, chunk.length - offset)
        prefix.set(chunk.subarray(offset, offset + take), prefixFilled)
        prefixFilled += take
        offset += take
        if (prefixFilled < LENGTH_PREFIX_BYTES) break
        prefixFilled = 0
        length = readLength(prefix, 0)
      }
      if (!admit(length)) {
        prefixFilled = 0
        return failure
      }
      if (chunk.length - offset >= length) {
        // Fast path: the whole frame is in this chunk; hand out a view, no copy.
        const frame = chunk.subarray(offset, offset + length)
        offset += length
        onFrame(frame)
      } else {
        body = new Uint8Array(length)
      }
    }
    return failure
  }

  return {
    push,
    close() {
      closed = true
      body = undefined
      bodyFilled = 0
      prefixFilled = 0
    },
    get bufferedBytes() {
      return prefixFilled + (body === undefined ? 0 : body.length)
    },
  }
}

function readLength(bytes: Uint8Array, offset: number): number {
  // Unsigned arithmetic by multiplication: `<< 24` would turn lengths ≥ 2 GiB negative.
  return (
    (bytes[offset] as number) * 0x100_0000 +
    ((bytes[offset + 1] as number) << 16) +
    ((bytes[offset + 2] as number) << 8) +
    (bytes[offset + 3] as number)
  )
}
