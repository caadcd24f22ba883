import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFrameDecoder, encodeFrame } from '../src/index.js'

// Property tests for the one decoder TCP adds: any byte stream, cut anywhere,
// never throws, never buffers more than maxFrameBytes + 4, and a stream of
// well-formed frames comes out exactly as it went in, however it is chunked.
const maxFrameBytes = 512

function chunked(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of [...points, stream.length]) {
    chunks.push(stream.subarray(start, point))
    start = point
  }
  return chunks
}

describe('length-prefix decoder properties', () => {
  it('any bytes in any chunking: no throw, bounded buffering, a typed error or frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 20 }), (stream, cuts) => {
        const decoder = createFrameDecoder({ maxFrameBytes, onFrame: (frame) => expect(frame.length).toBeLessThanOrEqual(maxFrameBytes) })
        for (const chunk of chunked(stream, cuts)) {
          const failure = decoder.push(chunk)
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(maxFrameBytes + 4)
          if (failure !== undefined) expect(['too-large', 'malformed']).toContain(failure.reason)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('well-formed frames round-trip exactly, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: maxFrameBytes }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cuts) => {
          const encoded = frames.map((f) => encodeFrame(f))
          const stream = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0))
          let offset = 0
          for (const e of encoded) {
            stream.set(e, offset)
            offset += e.length
          }
          const out: Uint8Array[] = []
          const decoder = createFrameDecoder({ maxFrameBytes, onFrame: (frame) => out.push(frame.slice()) })
          for (const chunk of chunked(stream, cuts)) expect(decoder.push(chunk)).toBeUndefined()
          expect(out.map((f) => Buffer.from(f).toString('hex'))).toEqual(frames.map((f) => Buffer.from(f).toString('hex')))
        },
      ),
      { numRuns: 300 },
    )
  })
})
