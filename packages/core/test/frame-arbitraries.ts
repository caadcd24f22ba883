/** fast-check arbitraries for valid frame fields, shared by the codec property tests. */
import fc from 'fast-check'
import type { FrameFields } from '../src/wire/frame.js'
import { MAX_RTT_MS, MAX_U32, MAX_U48 } from '../src/wire/frame.js'

const utf8 = new TextEncoder()

/** A peerId: any code points, 1–255 bytes of UTF-8. */
export function peerIdArbitrary(maxChars: number): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary', minLength: 1, maxLength: maxChars }).filter((id) => {
    const length = utf8.encode(id).length
    return length >= 1 && length <= 255
  })
}

/** A keyId: ASCII 0x21–0x7e, 0–64 characters. */
export const keyIdArbitrary = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 64 })

/**
 * Valid fields of every frame type. `edges` also draws each integer field's
 * extremes often (uniform draws alone almost never hit 0 or the maximum).
 */
export function frameFieldsArbitrary({ maxPeerIdChars = 255, edges = false } = {}): fc.Arbitrary<FrameFields> {
  const upTo = (max: number, extremes: number[]) =>
    edges ? fc.oneof(fc.integer({ min: 0, max }), fc.constantFrom(...extremes)) : fc.integer({ min: 0, max })
  return fc
    .record({
      type: fc.constantFrom('hello', 'beat', 'ack', 'bye'),
      peerId: peerIdArbitrary(maxPeerIdChars),
      keyId: keyIdArbitrary,
      incarnation: upTo(MAX_U48, [0, 1, 9, 10, MAX_U48]),
      seq: upTo(MAX_U32, [0, MAX_U32]),
      timestampMs: upTo(MAX_U48, [0, MAX_U48]),
      intervalMs: fc.integer({ min: 1, max: MAX_U32 }),
      // undefined: the beat has not measured an RTT yet.
      rttMs: fc.option(fc.integer({ min: 0, max: MAX_RTT_MS }), { nil: undefined }),
      timeoutMs: fc.integer({ min: 1, max: MAX_U32 }),
      // The one flag each type may carry: ack-requested (hello, beat, bye) or clock-correction (ack).
      flag: fc.boolean(),
    })
    .map(({ intervalMs, rttMs, timeoutMs, flag, ...base }): FrameFields => {
      // Absent members are missing, not `undefined`, as the decoders return them.
      const fields: FrameFields = { ...base }
      if (base.type === 'hello') fields.intervalMs = intervalMs
      if (base.type === 'beat' && rttMs !== undefined) fields.rttMs = rttMs
      if (base.type === 'ack') fields.timeoutMs = timeoutMs
      if (flag && base.type === 'ack') fields.clockCorrection = true
      else if (flag) fields.ackRequested = true
      return fields
    })
}
