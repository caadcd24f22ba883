import { describe, expect, it } from 'vitest'
import { decideDeadline } from '../src/liveness/deadline.js'
import type { DeadlineInput } from '../src/liveness/deadline.js'

// A peer whose last beat was at 1000 with a dead deadline at 2000 (timeout 1000), guard tolerance 400.
const base: DeadlineInput = { state: 'alive', rising: false, nowMs: 1500, lagMs: 0, loopLagToleranceMs: 400, lastBeatMs: 1000, deadAtMs: 2000 }

describe('decideDeadline: what a fired deadline means', () => {
  it.each<[string, Partial<DeadlineInput>, ReturnType<typeof decideDeadline>]>([
    ['alive before its dead deadline: the suspect deadline', {}, { action: 'suspect', deadAtMs: 2000 }],
    ['alive at its dead deadline (no suspect deadline): dead', { nowMs: 2000 }, { action: 'dead' }],
    ['alive after it: dead', { nowMs: 2050 }, { action: 'dead' }],
    ['suspect: dead', { state: 'suspect', nowMs: 2000 }, { action: 'dead' }],
    ['dead and rising: dead (the rise count restarts)', { state: 'dead', rising: true, nowMs: 2000 }, { action: 'dead' }],
    ['dead: forget', { state: 'dead', nowMs: 61_000 }, { action: 'forget' }],
    ['left: forget', { state: 'left', nowMs: 61_000 }, { action: 'forget' }],
    ['a free slot: nothing', { state: 'new' }, { action: 'none' }],
    // The local-health guard.
    ['alive, lag just at the tolerance: convicted as usual', { nowMs: 2000, lagMs: 400 }, { action: 'dead' }],
    ['alive, lag over the tolerance: the lag given back', { nowMs: 2000, lagMs: 401 }, { action: 'guard', rearmAtMs: 2401 }],
    ['suspect, lag over the tolerance: guarded too', { state: 'suspect', nowMs: 2000, lagMs: 600 }, { action: 'guard', rearmAtMs: 2600 }],
    ['rising, lag over the tolerance: guarded too', { state: 'dead', rising: true, nowMs: 2000, lagMs: 600 }, { action: 'guard', rearmAtMs: 2600 }],
    ['the credit is capped at one full timeout', { nowMs: 7000, lagMs: 5000 }, { action: 'guard', rearmAtMs: 8000 }],
    ['dead (not rising), lag over the tolerance: still forgotten', { state: 'dead', nowMs: 61_000, lagMs: 5000 }, { action: 'forget' }],
    ['left, lag over the tolerance: still forgotten', { state: 'left', nowMs: 61_000, lagMs: 5000 }, { action: 'forget' }],
  ])('%s', (_name, change, expected) => {
    expect(decideDeadline({ ...base, ...change })).toEqual(expected)
  })
})
