import { describe, expect, it } from 'vitest'
import {
  initialSnapshot,
  transition,
  type LivenessConfig,
  type LivenessEffect,
  type LivenessEvent,
  type LivenessSnapshot,
} from '../src/liveness/transition.js'

/*
 * Every (from-state × event × linkDown × riseBeats), written out by hand.
 * `from`/`to` are `state/rise`; `to` is `=` when the very same snapshot object
 * must come back. Effects are listed in order; `-` is none.
 * `dead/1` and `dead/2` are dead peers part-way through a comeback.
 */
const table = `
new      beat              suspect  1  alive/0   online arm
new      beat              suspect  3  alive/0   online arm
new      beat              offline  1  alive/0   online arm
new      beat              offline  3  alive/0   online arm
new      beat              ignore   1  alive/0   online arm
new      beat              ignore   3  alive/0   online arm
new      suspect-deadline  suspect  1  =         -
new      suspect-deadline  suspect  3  =         -
new      suspect-deadline  offline  1  =         -
new      suspect-deadline  offline  3  =         -
new      suspect-deadline  ignore   1  =         -
new      suspect-deadline  ignore   3  =         -
new      dead-deadline     suspect  1  =         -
new      dead-deadline     suspect  3  =         -
new      dead-deadline     offline  1  =         -
new      dead-deadline     offline  3  =         -
new      dead-deadline     ignore   1  =         -
new      dead-deadline     ignore   3  =         -
new      bye               suspect  1  =         -
new      bye               suspect  3  =         -
new      bye               offline  1  =         -
new      bye               offline  3  =         -
new      bye               ignore   1  =         -
new      bye               ignore   3  =         -
new      link-down         suspect  1  =         -
new      link-down         suspect  3  =         -
new      link-down         offline  1  =         -
new      link-down         offline  3  =         -
new      link-down         ignore   1  =         -
new      link-down         ignore   3  =         -

alive    beat              suspect  1  =         arm
alive    beat              suspect  3  =         arm
alive    beat              offline  1  =         arm
alive    beat              offline  3  =         arm
alive    beat              ignore   1  =         arm
alive    beat              ignore   3  =         arm
alive    suspect-deadline  suspect  1  suspect/0 suspect
alive    suspect-deadline  suspect  3  suspect/0 suspect
alive    suspect-deadline  offline  1  suspect/0 suspect
alive    suspect-deadline  offline  3  suspect/0 suspect
alive    suspect-deadline  ignore   1  suspect/0 suspect
alive    suspect-deadline  ignore   3  suspect/0 suspect
alive    dead-deadline     suspect  1  dead/0    offline:timeout close-link
alive    dead-deadline     suspect  3  dead/0    offline:timeout close-link
alive    dead-deadline     offline  1  dead/0    offline:timeout close-link
alive    dead-deadline     offline  3  dead/0    offline:timeout close-link
alive    dead-deadline     ignore   1  dead/0    offline:timeout close-link
alive    dead-deadline     ignore   3  dead/0    offline:timeout close-link
alive    bye               suspect  1  left/0    offline:left disarm
alive    bye               suspect  3  left/0    offline:left disarm
alive    bye               offline  1  left/0    offline:left disarm
alive    bye               offline  3  left/0    offline:left disarm
alive    bye               ignore   1  left/0    offline:left disarm
alive    bye               ignore   3  left/0    offline:left disarm
alive    link-down         suspect  1  suspect/0 suspect
alive    link-down         suspect  3  suspect/0 suspect
alive    link-down         offline  1  dead/0    offline:closed disarm
alive    link-down         offline  3  dead/0    offline:closed disarm
alive    link-down         ignore   1  =         -
alive    link-down         ignore   3  =         -

suspect  beat              suspect  1  alive/0   recover arm
suspect  beat              suspect  3  alive/0   recover arm
suspect  beat              offline  1  alive/0   recover arm
suspect  beat              offline  3  alive/0   recover arm
suspect  beat              ignore   1  alive/0   recover arm
suspect  beat              ignore   3  alive/0   recover arm
suspect  suspect-deadline  suspect  1  =         -
suspect  suspect-deadline  suspect  3  =         -
suspect  suspect-deadline  offline  1  =         -
suspect  suspect-deadline  offline  3  =         -
suspect  suspect-deadline  ignore   1  =         -
suspect  suspect-deadline  ignore   3  =         -
suspect  dead-deadline     suspect  1  dead/0    offline:timeout close-link
suspect  dead-deadline     suspect  3  dead/0    offline:timeout close-link
suspect  dead-deadline     offline  1  dead/0    offline:timeout close-link
suspect  dead-deadline     offline  3  dead/0    offline:timeout close-link
suspect  dead-deadline     ignore   1  dead/0    offline:timeout close-link
suspect  dead-deadline     ignore   3  dead/0    offline:timeout close-link
suspect  bye               suspect  1  left/0    offline:left disarm
suspect  bye               suspect  3  left/0    offline:left disarm
suspect  bye               offline  1  left/0    offline:left disarm
suspect  bye               offline  3  left/0    offline:left disarm
suspect  bye               ignore   1  left/0    offline:left disarm
suspect  bye               ignore   3  left/0    offline:left disarm
suspect  link-down         suspect  1  =         -
suspect  link-down         suspect  3  =         -
suspect  link-down         offline  1  dead/0    offline:closed disarm
suspect  link-down         offline  3  dead/0    offline:closed disarm
suspect  link-down         ignore   1  =         -
suspect  link-down         ignore   3  =         -

dead/0   beat              suspect  1  alive/0   online arm
dead/0   beat              suspect  3  dead/1    arm
dead/0   beat              offline  1  alive/0   online arm
dead/0   beat              offline  3  dead/1    arm
dead/0   beat              ignore   1  alive/0   online arm
dead/0   beat              ignore   3  dead/1    arm
dead/0   suspect-deadline  suspect  1  =         -
dead/0   suspect-deadline  suspect  3  =         -
dead/0   suspect-deadline  offline  1  =         -
dead/0   suspect-deadline  offline  3  =         -
dead/0   suspect-deadline  ignore   1  =         -
dead/0   suspect-deadline  ignore   3  =         -
dead/0   dead-deadline     suspect  1  =         -
dead/0   dead-deadline     suspect  3  =         -
dead/0   dead-deadline     offline  1  =         -
dead/0   dead-deadline     offline  3  =         -
dead/0   dead-deadline     ignore   1  =         -
dead/0   dead-deadline     ignore   3  =         -
dead/0   bye               suspect  1  left/0    disarm
dead/0   bye               suspect  3  left/0    disarm
dead/0   bye               offline  1  left/0    disarm
dead/0   bye               offline  3  left/0    disarm
dead/0   bye               ignore   1  left/0    disarm
dead/0   bye               ignore   3  left/0    disarm
dead/0   link-down         suspect  1  =         -
dead/0   link-down         suspect  3  =         -
dead/0   link-down         offline  1  =         -
dead/0   link-down         offline  3  =         -
dead/0   link-down         ignore   1  =         -
dead/0   link-down         ignore   3  =         -

dead/1   beat              suspect  1  alive/0   online arm
dead/1   beat              suspect  3  dead/2    arm
dead/1   beat              offline  1  alive/0   online arm
dead/1   beat              offline  3  dead/2    arm
dead/1   beat              ignore   1  alive/0   online arm
dead/1   beat              ignore   3  dead/2    arm
dead/1   suspect-deadline  suspect  1  =         -
dead/1   suspect-deadline  suspect  3  =         -
dead/1   suspect-deadline  offline  1  =         -
dead/1   suspect-deadline  offline  3  =         -
dead/1   suspect-deadline  ignore   1  =         -
dead/1   suspect-deadline  ignore   3  =         -
dead/1   dead-deadline     suspect  1  dead/0    close-link
dead/1   dead-deadline     suspect  3  dead/0    close-link
dead/1   dead-deadline     offline  1  dead/0    close-link
dead/1   dead-deadline     offline  3  dead/0    close-link
dead/1   dead-deadline     ignore   1  dead/0    close-link
dead/1   dead-deadline     ignore   3  dead/0    close-link
dead/1   bye               suspect  1  left/0    disarm
dead/1   bye               suspect  3  left/0    disarm
dead/1   bye               offline  1  left/0    disarm
dead/1   bye               offline  3  left/0    disarm
dead/1   bye               ignore   1  left/0    disarm
dead/1   bye               ignore   3  left/0    disarm
dead/1   link-down         suspect  1  =         -
dead/1   link-down         suspect  3  =         -
dead/1   link-down         offline  1  =         -
dead/1   link-down         offline  3  =         -
dead/1   link-down         ignore   1  =         -
dead/1   link-down         ignore   3  =         -

dead/2   beat              suspect  1  alive/0   online arm
dead/2   beat              suspect  3  alive/0   online arm
dead/2   beat              offline  1  alive/0   online arm
dead/2   beat              offline  3  alive/0   online arm
dead/2   beat              ignore   1  alive/0   online arm
dead/2   beat              ignore   3  alive/0   online arm
dead/2   suspect-deadline  suspect  1  =         -
dead/2   suspect-deadline  suspect  3  =         -
dead/2   suspect-deadline  offline  1  =         -
dead/2   suspect-deadline  offline  3  =         -
dead/2   suspect-deadline  ignore   1  =         -
dead/2   suspect-deadline  ignore   3  =         -
dead/2   dead-deadline     suspect  1  dead/0    close-link
dead/2   dead-deadline     suspect  3  dead/0    close-link
dead/2   dead-deadline     offline  1  dead/0    close-link
dead/2   dead-deadline     offline  3  dead/0    close-link
dead/2   dead-deadline     ignore   1  dead/0    close-link
dead/2   dead-deadline     ignore   3  dead/0    close-link
dead/2   bye               suspect  1  left/0    disarm
dead/2   bye               suspect  3  left/0    disarm
dead/2   bye               offline  1  left/0    disarm
dead/2   bye               offline  3  left/0    disarm
dead/2   bye               ignore   1  left/0    disarm
dead/2   bye               ignore   3  left/0    disarm
dead/2   link-down         suspect  1  =         -
dead/2   link-down         suspect  3  =         -
dead/2   link-down         offline  1  =         -
dead/2   link-down         offline  3  =         -
dead/2   link-down         ignore   1  =         -
dead/2   link-down         ignore   3  =         -

left     beat              suspect  1  alive/0   online arm
left     beat              suspect  3  alive/0   online arm
left     beat              offline  1  alive/0   online arm
left     beat              offline  3  alive/0   online arm
left     beat              ignore   1  alive/0   online arm
left     beat              ignore   3  alive/0   online arm
left     suspect-deadline  suspect  1  =         -
left     suspect-deadline  suspect  3  =         -
left     suspect-deadline  offline  1  =         -
left     suspect-deadline  offline  3  =         -
left     suspect-deadline  ignore   1  =         -
left     suspect-deadline  ignore   3  =         -
left     dead-deadline     suspect  1  =         -
left     dead-deadline     suspect  3  =         -
left     dead-deadline     offline  1  =         -
left     dead-deadline     offline  3  =         -
left     dead-deadline     ignore   1  =         -
left     dead-deadline     ignore   3  =         -
left     bye               suspect  1  =         -
left     bye               suspect  3  =         -
left     bye               offline  1  =         -
left     bye               offline  3  =         -
left     bye               ignore   1  =         -
left     bye               ignore   3  =         -
left     link-down         suspect  1  =         -
left     link-down         suspect  3  =         -
left     link-down         offline  1  =         -
left     link-down         offline  3  =         -
left     link-down         ignore   1  =         -
left     link-down         ignore   3  =         -
`

interface Row {
  line: string
  from: LivenessSnapshot
  event: LivenessEvent
  config: LivenessConfig
  to: LivenessSnapshot | 'same'
  effects: LivenessEffect[]
}

function parseSnapshot(text: string): LivenessSnapshot {
  if (text === 'new') return initialSnapshot
  const [state, rise] = text.split('/')
  return { state: state as LivenessSnapshot['state'], rise: rise === undefined ? 0 : Number(rise) }
}

function parseEffect(token: string): LivenessEffect {
  if (token.startsWith('offline:')) {
    return { type: 'offline', reason: token.slice('offline:'.length) as 'timeout' | 'left' | 'closed' }
  }
  return { type: token } as LivenessEffect
}

const rows: Row[] = table
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '')
  .map((line) => {
    const [from, event, linkDown, riseBeats, to, ...effects] = line.split(/\s+/)
    return {
      line,
      from: parseSnapshot(from!),
      event: { type: event } as LivenessEvent,
      config: { linkDown: linkDown as LivenessConfig['linkDown'], riseBeats: Number(riseBeats) },
      to: to === '=' ? 'same' : parseSnapshot(to!),
      effects: effects[0] === '-' ? [] : effects.map(parseEffect),
    }
  })

describe('transition: exhaustive table', () => {
  it('covers every state × event × linkDown × riseBeats once', () => {
    const states = ['new', 'alive', 'suspect', 'dead/0', 'dead/1', 'dead/2', 'left']
    const events = ['beat', 'suspect-deadline', 'dead-deadline', 'bye', 'link-down']
    const keys = new Set(rows.map((row) => row.line.split(/\s+/).slice(0, 4).join(' ')))
    expect(rows).toHaveLength(states.length * events.length * 3 * 2)
    expect(keys.size).toBe(rows.length)
    for (const state of states)
      for (const event of events)
        for (const linkDown of ['suspect', 'offline', 'ignore'])
          for (const riseBeats of ['1', '3']) expect(keys.has(`${state} ${event} ${linkDown} ${riseBeats}`)).toBe(true)
  })

  it.each(rows)('$line', ({ from, event, config, to, effects }) => {
    const frozenFrom = Object.freeze({ ...from })
    const out = transition(frozenFrom, event, config)
    if (to === 'same') {
      expect(out.snapshot).toBe(frozenFrom)
    } else {
      expect(out.snapshot).not.toBe(frozenFrom)
      expect(out.snapshot).toEqual(to)
    }
    expect(out.effects).toEqual(effects)
    expect(Object.isFrozen(out.snapshot)).toBe(true)
    expect(Object.isFrozen(out.effects)).toBe(true)
    for (const effect of out.effects) expect(Object.isFrozen(effect)).toBe(true)
  })
})

const defaults: LivenessConfig = { riseBeats: 1, linkDown: 'suspect' }
const beat: LivenessEvent = { type: 'beat' }
const suspectDeadline: LivenessEvent = { type: 'suspect-deadline' }
const deadDeadline: LivenessEvent = { type: 'dead-deadline' }
const linkDown: LivenessEvent = { type: 'link-down' }
const bye: LivenessEvent = { type: 'bye' }

/** Runs events from `new`, returning the final snapshot and the user-visible events (arm/disarm/close-link left out). */
function run(events: LivenessEvent[], config: LivenessConfig) {
  let snapshot = initialSnapshot
  const seen: string[] = []
  for (const event of events) {
    const out = transition(snapshot, event, config)
    snapshot = out.snapshot
    for (const effect of out.effects) {
      if (effect.type === 'offline') seen.push(`offline:${effect.reason}`)
      else if (effect.type === 'online' || effect.type === 'suspect' || effect.type === 'recover') seen.push(effect.type)
    }
  }
  return { snapshot, seen }
}

describe('transition: sequences', () => {
  it('hysteresis: a dead peer needs riseBeats beats, and a stall restarts the count', () => {
    const config: LivenessConfig = { riseBeats: 3, linkDown: 'suspect' }
    let snapshot = initialSnapshot
    const step = (event: LivenessEvent) => {
      const out = transition(snapshot, event, config)
      snapshot = out.snapshot
      return out.effects.map((effect) => (effect.type === 'offline' ? `offline:${effect.reason}` : effect.type))
    }
    expect(step(beat)).toEqual(['online', 'arm'])
    expect(step(deadDeadline)).toEqual(['offline:timeout', 'close-link'])
    expect(step(beat)).toEqual(['arm'])
    expect(snapshot).toEqual({ state: 'dead', rise: 1 })
    expect(step(beat)).toEqual(['arm'])
    expect(snapshot).toEqual({ state: 'dead', rise: 2 })
    // The comeback stalls: its dead deadline passes before the third beat.
    expect(step(suspectDeadline)).toEqual([])
    expect(step(deadDeadline)).toEqual(['close-link'])
    expect(snapshot).toEqual({ state: 'dead', rise: 0 })
    // Two beats are no longer enough; it takes three fresh ones.
    expect(step(beat)).toEqual(['arm'])
    expect(step(beat)).toEqual(['arm'])
    expect(snapshot.state).toBe('dead')
    expect(step(beat)).toEqual(['online', 'arm'])
    expect(snapshot).toEqual({ state: 'alive', rise: 0 })
    expect(step(beat)).toEqual(['arm'])
  })

  it('flapping is visible: every online ↔ offline move emits an event', () => {
    const config: LivenessConfig = { riseBeats: 1, linkDown: 'offline' }
    const { snapshot, seen } = run(
      [beat, deadDeadline, beat, deadDeadline, beat, linkDown, beat, suspectDeadline, beat, suspectDeadline, deadDeadline, beat, bye, beat],
      config,
    )
    expect(seen).toEqual([
      'online',
      'offline:timeout',
      'online',
      'offline:timeout',
      'online',
      'offline:closed',
      'online',
      'suspect',
      'recover',
      'suspect',
      'offline:timeout',
      'online',
      'offline:left',
      'online',
    ])
    expect(snapshot.state).toBe('alive')
  })

  it('dead then bye does not report offline twice', () => {
    const { seen, snapshot } = run([beat, deadDeadline, bye, bye], defaults)
    expect(seen).toEqual(['online', 'offline:timeout'])
    expect(snapshot.state).toBe('left')
  })

  it('link-down in suspect mode leaves the verdict to the deadline', () => {
    const { seen, snapshot } = run([beat, linkDown, linkDown, deadDeadline], { riseBeats: 1, linkDown: 'suspect' })
    expect(seen).toEqual(['online', 'suspect', 'offline:timeout'])
    expect(snapshot.state).toBe('dead')
  })
})

describe('transition: allocation on the hot path', () => {
  const config = defaults

  it('alive + beat returns the same snapshot and a shared frozen result', () => {
    const alive = transition(initialSnapshot, beat, config).snapshot
    const first = transition(alive, beat, config)
    const second = transition(first.snapshot, beat, config)
    expect(first.snapshot).toBe(alive)
    expect(second).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
  })

  it('no-change results share one frozen empty effect list', () => {
    const a = transition(initialSnapshot, bye, config)
    const b = transition(transition(initialSnapshot, beat, { riseBeats: 1, linkDown: 'ignore' }).snapshot, linkDown, {
      riseBeats: 1,
      linkDown: 'ignore',
    })
    expect(a.snapshot).toBe(initialSnapshot)
    expect(a.effects).toHaveLength(0)
    expect(b.effects).toBe(a.effects)
    expect(Object.isFrozen(a.effects)).toBe(true)
  })

  it('a caller that keeps its own snapshot objects gets the same results back', () => {
    // The monitor rebuilds snapshots from typed-array columns, with its own frozen objects.
    const mine = Object.freeze({ state: 'alive' as const, rise: 0 })
    const left = Object.freeze({ state: 'left' as const, rise: 0 })
    const first = transition(mine, beat, config)
    expect(first.snapshot).toBe(mine)
    expect(first.effects).toEqual([{ type: 'arm' }])
    expect(transition(mine, beat, config)).toBe(first)
    const quiet = transition(left, deadDeadline, config)
    expect(quiet.snapshot).toBe(left)
    expect(transition(left, linkDown, config)).toBe(quiet)
    // Interleaving another object for the same state still answers correctly.
    const other = Object.freeze({ state: 'alive' as const, rise: 0 })
    expect(transition(other, beat, config).snapshot).toBe(other)
    expect(transition(mine, beat, config).snapshot).toBe(mine)
  })

  it('an unknown state or event from an untyped caller changes nothing', () => {
    const odd = { state: 'zombie', rise: 0 } as unknown as LivenessSnapshot
    const out = transition(odd, beat, config)
    expect(out.snapshot).toBe(odd)
    expect(out.effects).toEqual([])
    const alive = transition(initialSnapshot, beat, config).snapshot
    expect(transition(alive, { type: 'reboot' } as unknown as LivenessEvent, config).snapshot).toBe(alive)
  })

  it('initialSnapshot is frozen and new', () => {
    expect(initialSnapshot).toEqual({ state: 'new', rise: 0 })
    expect(Object.isFrozen(initialSnapshot)).toBe(true)
  })
})
