import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkFreshness, createReplayWindow } from '../src/signing/replay-window.js'
import type { FreshnessVerdict, ReplayWindow } from '../src/signing/replay-window.js'

const skewMs = 30_000
const now = 1_732_233_600_000
const maxIncarnation = 2 ** 48 - 1
const maxSeq = 2 ** 32 - 1

type Pair = { incarnation: number; seq: number }

describe('checkFreshness', () => {
  const last: Pair = { incarnation: 1000, seq: 50 }
  const rows: Array<{ name: string; last: Pair | undefined; frame: Pair & { timestampMs: number }; expected: FreshnessVerdict }> = [
    // Rule 1: the skew window, inclusive at exactly ±skewMs.
    { name: 'timestamp equal to now', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: now }, expected: 'ok' },
    { name: 'exactly skewMs in the past', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: now - skewMs }, expected: 'ok' },
    { name: 'exactly skewMs in the future', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: now + skewMs }, expected: 'ok' },
    { name: 'skewMs + 1 in the past', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: now - skewMs - 1 }, expected: 'stale' },
    { name: 'skewMs + 1 in the future', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: now + skewMs + 1 }, expected: 'stale' },
    { name: 'timestamp 0', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: 0 }, expected: 'stale' },
    { name: 'timestamp 2^48 − 1', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: maxIncarnation }, expected: 'stale' },
    // Rule 2: lexicographic (incarnation, seq) against the last accepted pair.
    { name: 'first contact', last: undefined, frame: { incarnation: 0, seq: 0, timestampMs: now }, expected: 'ok' },
    { name: 'equal pair', last, frame: { incarnation: 1000, seq: 50, timestampMs: now }, expected: 'replay' },
    { name: 'higher seq by one', last, frame: { incarnation: 1000, seq: 51, timestampMs: now }, expected: 'ok' },
    { name: 'higher seq with a gap', last, frame: { incarnation: 1000, seq: 5000, timestampMs: now }, expected: 'ok' },
    { name: 'lower seq by one', last, frame: { incarnation: 1000, seq: 49, timestampMs: now }, expected: 'replay' },
    { name: 'seq 0 in the same incarnation', last, frame: { incarnation: 1000, seq: 0, timestampMs: now }, expected: 'replay' },
    { name: 'higher incarnation with seq 0 (a restart)', last, frame: { incarnation: 1001, seq: 0, timestampMs: now }, expected: 'ok' },
    { name: 'lower incarnation with a huge seq', last, frame: { incarnation: 999, seq: maxSeq, timestampMs: now }, expected: 'replay' },
    { name: 'incarnation 0 after a real one', last, frame: { incarnation: 0, seq: 51, timestampMs: now }, expected: 'replay' },
    { name: 'top of both ranges after just below', last: { incarnation: maxIncarnation, seq: maxSeq - 1 }, frame: { incarnation: maxIncarnation, seq: maxSeq, timestampMs: now }, expected: 'ok' },
    { name: 'top of both ranges, equal', last: { incarnation: maxIncarnation, seq: maxSeq }, frame: { incarnation: maxIncarnation, seq: maxSeq, timestampMs: now }, expected: 'replay' },
    { name: 'incarnations that differ only in the lowest bit near 2^48', last: { incarnation: maxIncarnation - 1, seq: maxSeq }, frame: { incarnation: maxIncarnation, seq: 0, timestampMs: now }, expected: 'ok' },
    // Order: stale is named before replay.
    { name: 'stale and a replay: stale wins', last, frame: { incarnation: 1000, seq: 50, timestampMs: now - skewMs - 1 }, expected: 'stale' },
    { name: 'stale and newer: still stale', last, frame: { incarnation: 2000, seq: 0, timestampMs: now + skewMs + 1 }, expected: 'stale' },
    // NaN fails closed.
    { name: 'NaN timestamp', last: undefined, frame: { incarnation: 1, seq: 0, timestampMs: Number.NaN }, expected: 'stale' },
    { name: 'NaN incarnation against a known peer', last, frame: { incarnation: Number.NaN, seq: 99, timestampMs: now }, expected: 'replay' },
    { name: 'NaN seq against a known peer', last, frame: { incarnation: 1000, seq: Number.NaN, timestampMs: now }, expected: 'replay' },
  ]

  it.each(rows)('$name → $expected', ({ last: lastPair, frame, expected }) => {
    expect(checkFreshness(lastPair, frame, now, skewMs)).toBe(expected)
  })

  it.each([
    [0, now, 'ok'],
    [0, now - 1, 'stale'],
    [0, now + 1, 'stale'],
    [1, now - 1, 'ok'],
    [Number.POSITIVE_INFINITY, 0, 'ok'],
    [Number.NaN, now, 'stale'],
  ] as const)('skewMs %s, timestamp %s → %s', (skew, timestampMs, expected) => {
    expect(checkFreshness(undefined, { incarnation: 1, seq: 0, timestampMs }, now, skew)).toBe(expected)
  })

  it('the window gives every row the same verdict', () => {
    const window = createReplayWindow({ skewMs })
    rows.forEach((row, slot) => {
      if (row.last !== undefined) window.accept(slot, row.last.incarnation, row.last.seq)
      const { incarnation, seq, timestampMs } = row.frame
      expect(window.check(slot, incarnation, seq, timestampMs, now), row.name).toBe(row.expected)
    })
  })
})

/** The reference model: one object per slot, and the pure rule. */
function createModel(): {
  check: (slot: number, incarnation: number, seq: number, timestampMs: number, wallNowMs: number) => FreshnessVerdict
  accept: (slot: number, incarnation: number, seq: number) => void
  forget: (slot: number) => void
  has: (slot: number) => boolean
} {
  const pairs = new Map<number, Pair>()
  return {
    check: (slot, incarnation, seq, timestampMs, wallNowMs) =>
      checkFreshness(pairs.get(slot), { incarnation, seq, timestampMs }, wallNowMs, skewMs),
    accept: (slot, incarnation, seq) => {
      // accept never moves a pair backwards: record only a first or newer pair.
      if (checkFreshness(pairs.get(slot), { incarnation, seq, timestampMs: 0 }, 0, 0) === 'ok') pairs.set(slot, { incarnation, seq })
    },
    forget: (slot) => {
      pairs.delete(slot)
    },
    has: (slot) => pairs.has(slot),
  }
}

type Operation =
  | { kind: 'receive'; slot: number; incarnation: number; seq: number; timestampOffset: number }
  | { kind: 'accept'; slot: number; incarnation: number; seq: number }
  | { kind: 'forget'; slot: number }

/** Runs operations against the window and the model, comparing every observable result. */
function compare(window: ReplayWindow, operations: Operation[], slots: number): void {
  const model = createModel()
  // expect() only on a mismatch: thousands of passing expect() calls cost most of the run.
  const same = <T>(actual: T, expected: T, where: () => string): void => {
    if (actual !== expected) expect(actual, where()).toBe(expected)
  }
  for (const [index, operation] of operations.entries()) {
    const where = (): string => `operation ${index}: ${JSON.stringify(operation)}`
    if (operation.kind === 'receive') {
      // What a monitor does: check, and accept on ok.
      const { slot, incarnation, seq } = operation
      const timestampMs = now + operation.timestampOffset
      const verdict = window.check(slot, incarnation, seq, timestampMs, now)
      same(verdict, model.check(slot, incarnation, seq, timestampMs, now), where)
      if (verdict === 'ok') {
        window.accept(slot, incarnation, seq)
        model.accept(slot, incarnation, seq)
      }
    } else if (operation.kind === 'accept') {
      window.accept(operation.slot, operation.incarnation, operation.seq)
      model.accept(operation.slot, operation.incarnation, operation.seq)
    } else {
      window.forget(operation.slot)
      model.forget(operation.slot)
    }
    same(window.has(operation.slot), model.has(operation.slot), where)
  }
  for (let slot = 0; slot < slots; slot++) same(window.has(slot), model.has(slot), () => `slot ${slot} at the end`)
}

describe('ReplayWindow matches the model (checkFreshness over a Map)', () => {
  it('on a long seeded random run across 300 slots, starting from capacity 4', () => {
    let state = 0x2545f491
    const random = (below: number): number => {
      state ^= state << 13
      state >>>= 0
      state ^= state >>> 17
      state ^= state << 5
      state >>>= 0
      return state % below
    }
    const slots = 300
    // Small incarnation and seq ranges so that equal, lower and higher pairs all occur often.
    const operations: Operation[] = []
    for (let i = 0; i < 20_000; i++) {
      const roll = random(100)
      const slot = random(slots)
      if (roll < 85) {
        const timestampOffset = [0, skewMs, -skewMs, skewMs + 1, -skewMs - 1, random(2 * skewMs) - skewMs][random(6)] ?? 0
        operations.push({ kind: 'receive', slot, incarnation: random(4), seq: random(6), timestampOffset })
      } else if (roll < 95) {
        operations.push({ kind: 'accept', slot, incarnation: random(4), seq: random(6) })
      } else {
        operations.push({ kind: 'forget', slot })
      }
    }
    compare(createReplayWindow({ skewMs, initialCapacity: 4 }), operations, slots)
  })

  it('as a property (fast-check), including the extremes of every range', () => {
    const slot = fc.integer({ min: 0, max: 70 })
    const incarnation = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 2 ** 32, maxIncarnation - 1, maxIncarnation))
    const seq = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 2 ** 31, maxSeq - 1, maxSeq))
    const operation: fc.Arbitrary<Operation> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('receive' as const), slot, incarnation, seq, timestampOffset: fc.integer({ min: -skewMs - 2, max: skewMs + 2 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('accept' as const), slot, incarnation, seq }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), slot }) },
    )
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), fc.integer({ min: 0, max: 8 }), (operations, initialCapacity) => {
        compare(createReplayWindow({ skewMs, initialCapacity }), operations, 71)
      }),
      { numRuns: 150, seed: 0x6862 },
    )
  })
})

describe('ReplayWindow behaviour', () => {
  it('check never changes anything', () => {
    const window = createReplayWindow({ skewMs })
    expect(window.check(3, 5, 5, now, now)).toBe('ok')
    expect(window.check(3, 5, 5, now, now)).toBe('ok')
    expect(window.has(3)).toBe(false)
    window.accept(3, 5, 5)
    expect(window.check(3, 5, 6, now, now)).toBe('ok')
    expect(window.check(3, 5, 6, now, now)).toBe('ok')
    expect(window.check(3, 5, 5, now, now)).toBe('replay')
  })

  it('check of a slot never accepted, inside or past the capacity, or not an index, is first contact', () => {
    const window = createReplayWindow({ skewMs, initialCapacity: 2 })
    for (const slot of [0, 1, 2, 1_000_000, -1, 0.5, Number.NaN]) {
      expect(window.check(slot, 0, 0, now, now), String(slot)).toBe('ok')
      expect(window.has(slot), String(slot)).toBe(false)
    }
  })

  it('accept never moves a pair backwards', () => {
    const window = createReplayWindow({ skewMs })
    window.accept(0, 10, 10)
    window.accept(0, 10, 9)
    window.accept(0, 9, maxSeq)
    expect(window.check(0, 10, 10, now, now)).toBe('replay')
    expect(window.check(0, 10, 11, now, now)).toBe('ok')
    window.accept(0, 11, 0)
    expect(window.check(0, 10, 11, now, now)).toBe('replay')
  })

  it('stores the extremes of both ranges exactly', () => {
    const window = createReplayWindow({ skewMs })
    window.accept(0, maxIncarnation - 1, maxSeq)
    expect(window.check(0, maxIncarnation - 1, maxSeq, now, now)).toBe('replay')
    expect(window.check(0, maxIncarnation, 0, now, now)).toBe('ok')
    window.accept(0, maxIncarnation, maxSeq)
    expect(window.check(0, maxIncarnation, maxSeq, now, now)).toBe('replay')
    expect(window.check(0, maxIncarnation, maxSeq - 1, now, now)).toBe('replay')
  })

  it('forget makes the next frame a first contact and leaves neighbours alone', () => {
    const window = createReplayWindow({ skewMs })
    for (let slot = 0; slot < 3; slot++) window.accept(slot, 7, 7)
    window.forget(1)
    expect(window.has(1)).toBe(false)
    expect(window.check(1, 0, 0, now, now)).toBe('ok')
    expect(window.has(0) && window.has(2)).toBe(true)
    expect(window.check(0, 7, 7, now, now)).toBe('replay')
    expect(window.check(2, 7, 7, now, now)).toBe('replay')
    window.accept(1, 0, 0)
    expect(window.check(1, 0, 0, now, now)).toBe('replay')
  })

  it('forget of a slot never used, out of range or not an index, is ignored', () => {
    const window = createReplayWindow({ skewMs, initialCapacity: 2 })
    window.accept(0, 1, 1)
    for (const slot of [1, 2, 5_000_000, -1, 0.5, Number.NaN]) window.forget(slot)
    expect(window.has(0)).toBe(true)
    expect(window.check(0, 1, 1, now, now)).toBe('replay')
  })

  it.each([0, 1, 3, 1024])('grows past initialCapacity %i, keeping every pair and leaving the new slots empty', (initialCapacity) => {
    const window = createReplayWindow({ skewMs, initialCapacity })
    const used = [0, 1, 2, 3, 4, 17, 100, 1023, 1024, 5000]
    for (const slot of used) window.accept(slot, slot + 1, slot * 2)
    window.accept(70_000, 1, 1)
    for (const slot of used) {
      expect(window.check(slot, slot + 1, slot * 2, now, now), `slot ${slot}`).toBe('replay')
      expect(window.check(slot, slot + 1, slot * 2 + 1, now, now), `slot ${slot}`).toBe('ok')
    }
    for (const slot of [5, 99, 101, 1022, 4999, 5001, 69_999]) expect(window.has(slot), `slot ${slot}`).toBe(false)
    expect(window.has(70_000)).toBe(true)
  })

  it('exposes skewMs', () => {
    expect(createReplayWindow({ skewMs: 1234 }).skewMs).toBe(1234)
    expect(createReplayWindow({ skewMs: 0 }).skewMs).toBe(0)
  })
})

describe('errors', () => {
  it.each([
    [{ skewMs: Number.NaN }, /skewMs must be a finite number ≥ 0, got NaN/],
    [{ skewMs: Number.POSITIVE_INFINITY }, /skewMs must be a finite number ≥ 0, got Infinity/],
    [{ skewMs: -1 }, /skewMs must be a finite number ≥ 0, got -1/],
    [{ skewMs: '30000' }, /skewMs must be a finite number ≥ 0, got 30000/],
    [{}, /skewMs must be a finite number ≥ 0, got undefined/],
    [undefined, /skewMs must be a finite number ≥ 0, got undefined/],
    [{ skewMs: 1, initialCapacity: -1 }, /initialCapacity must be an integer 0 … 2147483647, got -1/],
    [{ skewMs: 1, initialCapacity: 1.5 }, /initialCapacity must be an integer .* got 1\.5/],
  ])('createReplayWindow(%j) throws HB_ERR_CONFIG', (options, message) => {
    const call = (): unknown => createReplayWindow(options as { skewMs: number })
    expect(call).toThrow(message)
    expect(call).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
  })

  it.each([
    ['negative slot', -1, 0, 0, /slot must be an integer 0 … 2147483647, got -1/],
    ['fractional slot', 1.5, 0, 0, /slot must be an integer .* got 1\.5/],
    ['slot past 2^31 − 1', 2 ** 31, 0, 0, /slot must be an integer/],
    ['negative incarnation', 0, -1, 0, /incarnation must be an integer 0 … 2\^48−1, got -1/],
    ['incarnation 2^48', 0, 2 ** 48, 0, /incarnation must be an integer/],
    ['NaN incarnation', 0, Number.NaN, 0, /incarnation must be an integer .* got NaN/],
    ['seq 2^32', 0, 0, 2 ** 32, /seq must be an integer 0 … 2\^32−1, got 4294967296/],
    ['fractional seq', 0, 0, 0.5, /seq must be an integer/],
  ])('accept with a %s throws HB_ERR_CONFIG and records nothing', (_name, slot, incarnation, seq, message) => {
    const window = createReplayWindow({ skewMs, initialCapacity: 1 })
    expect(() => window.accept(slot, incarnation, seq)).toThrow(message)
    expect(() => window.accept(slot, incarnation, seq)).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    expect(window.has(0)).toBe(false)
  })
})
