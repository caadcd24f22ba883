import { describe, expect, it } from 'vitest'
import { allocFrame, ownCopyWhenQueued } from '../src/adapter/index.js'

describe('allocFrame', () => {
  it('hands out zero-filled arrays of the asked length', () => {
    for (const length of [0, 1, 75, 79, 512]) {
      const frame = allocFrame(length)
      expect(frame).toBeInstanceOf(Uint8Array)
      expect(frame.length).toBe(length)
      expect(frame.every((byte) => byte === 0)).toBe(true)
    }
  })

  it('never lets two frames share a byte, across slab boundaries', () => {
    // Enough 75-byte frames (an ack) to fill several 16 KiB slabs.
    const frames = Array.from({ length: 1000 }, () => allocFrame(75))
    frames.forEach((frame, i) => frame.fill(i & 0xff))
    frames.forEach((frame, i) => expect(frame.every((byte) => byte === (i & 0xff))).toBe(true))
    const bySlab = new Map<ArrayBufferLike, Array<[number, number]>>()
    for (const frame of frames) {
      const ranges = bySlab.get(frame.buffer) ?? []
      ranges.push([frame.byteOffset, frame.byteOffset + frame.length])
      bySlab.set(frame.buffer, ranges)
    }
    expect(bySlab.size).toBeGreaterThan(1)
    for (const ranges of bySlab.values()) {
      ranges.sort((a, b) => a[0] - b[0])
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1])
    }
  })

  it('gives a big frame an array of its own', () => {
    const big = allocFrame(4096)
    expect(big.byteOffset).toBe(0)
    expect(big.buffer.byteLength).toBe(4096)
  })
})

describe('ownCopyWhenQueued', () => {
  it('keeps the view while little is queued, and copies into an array of its own once a slab is', () => {
    const frame = allocFrame(75)
    frame.fill(7)
    expect(ownCopyWhenQueued(frame, 0)).toBe(frame)
    expect(ownCopyWhenQueued(frame, 1023)).toBe(frame)
    const copy = ownCopyWhenQueued(frame, 1024)
    expect(copy).not.toBe(frame)
    expect(copy.byteOffset).toBe(0)
    expect(copy.buffer.byteLength).toBe(75)
    expect(Array.from(copy)).toStrictEqual(Array.from(frame))
  })
})
