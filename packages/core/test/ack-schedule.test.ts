import { describe, expect, it } from 'vitest'
import { afterHello, onAcked, planBeat } from '../src/beater/ack-schedule.js'
import type { AckScheduleState } from '../src/beater/ack-schedule.js'

/** Runs beats against a server that answers requests only while `answers(beat)` is true; returns R (requested), . (not), L (lost). */
function run(ackEvery: number, missedAcks: number, beats: number, answers: (beat: number) => boolean): string {
  let state: AckScheduleState = onAcked(afterHello) // the hello was answered
  let out = ''
  for (let beat = 1; beat <= beats; beat++) {
    const plan = planBeat(state, ackEvery, missedAcks)
    state = plan.state
    out += plan.lost ? 'L' : plan.requestAck ? 'R' : '.'
    if (plan.requestAck && answers(beat)) state = onAcked(state)
  }
  return out
}

describe('the ack schedule', () => {
  it.each<[number, number, string]>([
    [1, 3, 'RRRRRRRRR'],
    [3, 3, '..R..R..R'],
    [4, 2, '...R...R.'],
  ])('ackEvery %i, missedAcks %i, a server that answers: asks every ackEvery-th beat', (ackEvery, missedAcks, expected) => {
    expect(run(ackEvery, missedAcks, 9, () => true)).toBe(expected)
  })

  it.each<[number, number, string]>([
    // Silent from the start (the hello was the last answered request): lost at beat ackEvery + missedAcks.
    [3, 3, '..RRRLLL'],
    [1, 3, 'RRRLLLLL'],
    [3, 1, '..RLLLLL'],
    [5, 2, '....RRLL'],
  ])('ackEvery %i, missedAcks %i, a silent server: every beat asks while one is overdue, lost after missedAcks', (ackEvery, missedAcks, expected) => {
    expect(run(ackEvery, missedAcks, 8, () => false)).toBe(expected)
  })

  it('one lost ack costs one extra request, not a server-lost', () => {
    // The request at beat 3 is lost; beat 4 asks again and is answered; the rhythm resumes.
    expect(run(3, 3, 10, (beat) => beat !== 3)).toBe('..RR..R..R')
  })

  it('an answer resets the count: missedAcks - 1 losses in a row never add up to lost', () => {
    expect(run(3, 3, 12, (beat) => beat % 3 !== 0 || beat === 12)).not.toContain('L')
  })

  it('a hello counts as a request', () => {
    const plan = planBeat(afterHello, 3, 3)
    expect(plan.state.missed).toBe(1)
    expect(plan.requestAck).toBe(true)
  })
})
