import { describe, expect, it } from 'vitest'
import { admitNewPeer } from '../src/monitor/admission.js'
import type { AdmissionInput } from '../src/monitor/admission.js'

// Monitor started at wall 1_000_000, now 1_010_000, skew 30 s; a frame (5, 7) stamped now.
const base: AdmissionInput = { incarnation: 5, seq: 7, timestampMs: 1_010_000, wallNowMs: 1_010_000, skewMs: 30_000, startedWallMs: 1_000_000, stored: undefined }

describe('admitNewPeer: a peer the monitor does not know', () => {
  it.each<[string, Partial<AdmissionInput>, string]>([
    ['stamped now, no store: accepted', {}, 'ok'],
    ['stamped exactly at the start: accepted', { timestampMs: 1_000_000 }, 'ok'],
    ['stamped 1 ms before the start: stale (captured before a restart)', { timestampMs: 999_999 }, 'stale correct'],
    ['stamped skew ahead: accepted', { timestampMs: 1_040_000 }, 'ok'],
    ['stamped skew + 1 ahead: stale', { timestampMs: 1_040_001 }, 'stale correct'],
    ['stamped skew + 1 behind: stale', { timestampMs: 979_999, startedWallMs: 0 }, 'stale correct'],
    ['a NaN timestamp fails closed', { timestampMs: Number.NaN }, 'stale correct'],
    ['store: never seen anywhere: accepted', { stored: null }, 'ok'],
    ['store: still fetching: pending, no clock correction', { stored: 'pending' }, 'pending'],
    ['store: an older mark: accepted', { stored: { incarnation: 5, seq: 6 } }, 'ok'],
    ['store: an older incarnation: accepted', { stored: { incarnation: 4, seq: 99 } }, 'ok'],
    ['store: the same mark: replay', { stored: { incarnation: 5, seq: 7 } }, 'replay'],
    ['store: a newer mark: replay', { stored: { incarnation: 5, seq: 8 } }, 'replay'],
    ['store: stale is decided before the store is read', { stored: 'pending', timestampMs: 999_999 }, 'stale correct'],
  ])('%s', (_name, change, expected) => {
    const result = admitNewPeer({ ...base, ...change })
    expect(result.ok ? 'ok' : `${result.reason}${result.correctClock ? ' correct' : ''}`).toBe(expected)
  })
})
