import { describe, expect, it } from 'vitest'
import { HeartbeatError } from '@hb/core'
import { createFrameDecoder, encodeFrame, LENGTH_PREFIX_BYTES } from '../src/framing.js'
import type { FramingError } from '../src/framing.js'
import { prng } from './support.js'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)
const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts))

function collect(maxFrameBytes: number) {
  const frames: Uint8Array[] = []
  const decoder = createFrameDecoder({ maxFrameBytes, onFrame: (frame) => frames.push(frame) })
  return { frames, decoder }
}

describe('encodeFrame', () => {
  it('prefixes the frame with its length, 4 bytes big-endian', () => {
    expect(hex(encodeFrame(bytes(0xaa, 0xbb, 0xcc)))).toBe('00000003aabbcc')
    const long = encodeFrame(new Uint8Array(0x0102))
    expect(hex(long.subarray(0, LENGTH_PREFIX_BYTES))).toBe('00000102')
    expect(long.length).toBe(0x0102 + 4)
  })
})

describe('createFrameDecoder', () => {
  it('decodes one frame pushed whole, as a view of the chunk', () => {
    const { frames, decoder } = collect(16)
    const chunk = encodeFrame(bytes(1, 2, 3))
    expect(decoder.push(chunk)).toBeUndefined()
    expect(frames.map(hex)).toEqual(['010203'])
    expect(frames[0]?.buffer).toBe(chunk.buffer)
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('decodes frames split byte by byte', () => {
    const { frames, decoder } = collect(16)
    const stream = concat([encodeFrame(bytes(1)), encodeFrame(bytes(2, 3, 4, 5, 6)), encodeFrame(bytes(7, 8))])
    for (const byte of stream) expect(decoder.push(bytes(byte))).toBeUndefined()
    expect(frames.map(hex)).toEqual(['01', '0203040506', '0708'])
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('decodes many frames coalesced into one chunk, in order', () => {
    const { frames, decoder } = collect(300)
    const payloads = Array.from({ length: 100 }, (_, i) => new Uint8Array(1 + i * 3).fill(i))
    expect(decoder.push(concat(payloads.map(encodeFrame)))).toBeUndefined()
    expect(frames.map(hex)).toEqual(payloads.map(hex))
  })

  it('decodes a prefix split across chunks and a frame ending mid-chunk', () => {
    const { frames, decoder } = collect(16)
    decoder.push(bytes(0, 0))
    expect(decoder.bufferedBytes).toBe(2)
    decoder.push(bytes(0, 3, 9))
    expect(decoder.bufferedBytes).toBe(3)
    decoder.push(bytes(9, 9, 0, 0, 0, 1, 5, 0))
    expect(frames.map(hex)).toEqual(['090909', '05'])
    expect(decoder.bufferedBytes).toBe(1)
  })

  it('accepts a frame of exactly maxFrameBytes', () => {
    const { frames, decoder } = collect(8)
    expect(decoder.push(encodeFrame(new Uint8Array(8).fill(7)))).toBeUndefined()
    expect(frames).toHaveLength(1)
  })

  it('refuses an announced length over maxFrameBytes as too-large, from the prefix alone, buffering nothing', () => {
    const { frames, decoder } = collect(8)
    const failure = decoder.push(bytes(0, 0, 0, 9))
    expect(failure?.reason).toBe('too-large')
    expect(failure?.detail).toContain('9 bytes')
    expect(decoder.bufferedBytes).toBe(0)
    expect(frames).toHaveLength(0)
  })

  it('refuses a 4 GiB announcement at once, even split byte by byte', () => {
    const { decoder } = collect(2048)
    const results: (FramingError | undefined)[] = [0xff, 0xff, 0xff, 0xff].map((b) => decoder.push(bytes(b)))
    expect(results.slice(0, 3)).toEqual([undefined, undefined, undefined])
    expect(results[3]).toMatchObject({ reason: 'too-large' })
    expect(results[3]?.detail).toContain('4294967295')
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('treats a zero length as malformed', () => {
    const { frames, decoder } = collect(8)
    expect(decoder.push(bytes(0, 0, 0, 1, 42, 0, 0, 0, 0, 1))).toMatchObject({ reason: 'malformed' })
    expect(frames.map(hex)).toEqual(['2a'])
  })

  it('stays failed: later chunks are ignored and the same failure comes back', () => {
    const { frames, decoder } = collect(8)
    const failure = decoder.push(bytes(0, 0, 0, 0))
    expect(decoder.push(encodeFrame(bytes(1)))).toBe(failure)
    expect(frames).toHaveLength(0)
  })

  it('close() stops delivery at once, even mid-chunk, and drops buffered bytes', () => {
    const frames: Uint8Array[] = []
    const decoder = createFrameDecoder({
      maxFrameBytes: 8,
      onFrame(frame) {
        frames.push(frame)
        decoder.close()
      },
    })
    decoder.push(concat([encodeFrame(bytes(1)), encodeFrame(bytes(2)), bytes(0, 0)]))
    expect(frames.map(hex)).toEqual(['01'])
    expect(decoder.bufferedBytes).toBe(0)
    expect(decoder.push(encodeFrame(bytes(3)))).toBeUndefined()
    expect(frames).toHaveLength(1)
  })

  it('ignores empty chunks', () => {
    const { frames, decoder } = collect(8)
    expect(decoder.push(new Uint8Array(0))).toBeUndefined()
    expect(frames).toHaveLength(0)
  })

  it('rejects a maxFrameBytes that is not a positive 32-bit integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 32]) {
      const error = (() => {
        try {
          createFrameDecoder({ maxFrameBytes: bad, onFrame: () => undefined })
        } catch (e) {
          return e
        }
      })()
      expect(HeartbeatError.isInstance(error) && error.code).toBe('HB_ERR_CONFIG')
    }
  })

  it('decodes any chunking of a stream identically, within its memory bound (seeded, randomized)', () => {
    const maxFrameBytes = 512
    for (let seed = 1; seed <= 40; seed++) {
      const random = prng(seed)
      const payloads = Array.from({ length: 60 }, () => {
        const frame = new Uint8Array(1 + Math.floor(random() * maxFrameBytes))
        for (let i = 0; i < frame.length; i++) frame[i] = Math.floor(random() * 256)
        return frame
      })
      const stream = concat(payloads.map(encodeFrame))
      const { frames, decoder } = collect(maxFrameBytes)
      let offset = 0
      while (offset < stream.length) {
        // Mostly small chunks (every split position gets exercised), sometimes large ones.
        const size = random() < 0.8 ? 1 + Math.floor(random() * 8) : 1 + Math.floor(random() * 2000)
        // A fresh buffer per chunk, as a socket delivers.
        const chunk = stream.slice(offset, offset + size)
        expect(decoder.push(chunk), `seed ${seed}`).toBeUndefined()
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(maxFrameBytes + LENGTH_PREFIX_BYTES)
        offset += size
      }
      // Compared at the end: frames kept from earlier pushes were never rewritten by later ones.
      expect(frames.map(hex), `seed ${seed}`).toEqual(payloads.map(hex))
    }
  })
})
