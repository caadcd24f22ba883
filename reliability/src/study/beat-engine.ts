/**
 * One peer and one monitor, beat by beat, in simulated time: the beater's
 * jittered intervals and pauses, each packet's loss and delay, and the
 * monitor's side exactly as the real one decides it: the REAL detector from
 * @hb/core computes every deadline, a deadline fires at the first wheel tick
 * at or after it (the timing wheel's rule: due at ceil(D / tickMs)), and an
 * accepted beat re-arms it.
 *
 * The optional probe models "probe on suspect": `count` probes at
 * deadAt − count·spacing, …, deadAt − spacing; the peer answers each with an
 * immediate beat (late if a pause holds it), and probe and answer are lost
 * and delayed like any packet.
 *
 * The engine is driven by the caller: `begin` from a good beat, then
 * `push` beats of a chosen kind (drop: lost or late; on-time; or drawn), then
 * `finish`. The skipping simulation (simulate-row.ts) drives it only around
 * rare events; the exact mode drives it over every beat.
 */
import type { Detector } from '@hb/core'
import type { DelaySampler, NetworkModel } from './network-model.js'
import type { Random } from './random.js'

export interface ProbeOptions {
  /** Probes per suspicion (0: no probing). */
  readonly count: number
  /** Time between probes, and from the last probe to the dead deadline, ms. */
  readonly spacingMs: number
}

/** One row's configuration: a detector, the beat interval, the wheel's tick, probing. */
export interface StudyConfig {
  readonly label: string
  readonly detector: Detector
  readonly intervalMs: number
  readonly tickMs: number
  readonly probes: ProbeOptions
}

export type BeatKind = 'drop' | 'on-time' | 'any'

/** A pause forced into the next interval: starts at `offsetFraction` of it, lasts `durationMs`. */
export interface ForcedPause {
  readonly offsetFraction: number
  readonly durationMs: number
}

export interface EngineCounters {
  falseOfflines: number
  probes: number
  answers: number
  beats: number
}

export interface BeatEngine {
  readonly counters: EngineCounters
  /** Starts a window at time 0 with an on-time beat, the detector holding `snapshot` (or fresh, if undefined). */
  begin(snapshot: Float64Array | undefined): void
  /** Sends the next beat. `pause`: 'sample' (the pause model decides), 'none', or a forced pause. */
  push(kind: BeatKind, pause: 'sample' | 'none' | ForcedPause): void
  /** Delivers everything in flight (deadlines that pass before an arrival fire). */
  finish(): void
  /** Processes what happens up to the on-time threshold after the last send (the next send is later). */
  settle(): void
  /** The peer crashes at `lastSend + fraction × nextInterval`; returns offline time − crash time (NaN if already offline). */
  crash(fraction: number): number
  /** The detector's slots after the last accepted beat, if the last beat pushed was accepted alive. */
  snapshot(): Float64Array | undefined
  /** Time from the last accepted beat to the earliest deadline or probe (the span the skip bound needs). */
  currentTriggerSpan(): number
}

export function createBeatEngine(config: StudyConfig, model: NetworkModel, delays: DelaySampler, random: Random): BeatEngine {
  const { detector, intervalMs, tickMs, probes } = config
  const state = new Float64Array(Math.max(detector.stateSlots, 1))
  const pauseChance = -Math.expm1((-model.pauses.perHour * intervalMs) / 3_600_000)
  const counters: EngineCounters = { falseOfflines: 0, probes: 0, answers: 0, beats: 0 }

  let tickPhase = 0
  let alive = false
  let fresh = true
  let lastBeat = 0
  let deadAt = 0
  let fireAt = Number.POSITIVE_INFINITY
  let nextProbeAt = Number.POSITIVE_INFINITY
  let probesSent = 0
  let lastSend = 0
  let crashedAt = Number.POSITIVE_INFINITY
  let crashDetectedAt = Number.NaN
  let lastPushAccepted = false
  const pending: number[] = []
  // Pauses of recent intervals [start, end]; a probe reaching the peer inside one is answered at its end.
  const pauseStarts: number[] = []
  const pauseEnds: number[] = []

  const onTick = (time: number): number => tickPhase + Math.ceil((time - tickPhase) / tickMs) * tickMs

  function arm(): void {
    deadAt = detector.deadAt(state, 0, lastBeat)
    fireAt = onTick(deadAt)
    probesSent = 0
    nextProbeAt = probes.count > 0 ? onTick(deadAt - probes.count * probes.spacingMs) : Number.POSITIVE_INFINITY
  }

  function accept(time: number): void {
    if (fresh || !alive) {
      detector.reset(state, 0, time, intervalMs)
      fresh = false
      alive = true
    } else {
      detector.observe(state, 0, lastBeat, time)
    }
    lastBeat = time
    arm()
  }

  function heldByPause(time: number): number {
    for (let i = 0; i < pauseStarts.length; i++) {
      if (time >= pauseStarts[i]! && time < pauseEnds[i]!) return pauseEnds[i]!
    }
    return time
  }

  function sendProbe(time: number): void {
    counters.probes++
    probesSent++
    nextProbeAt = probesSent < probes.count ? onTick(deadAt - (probes.count - probesSent) * probes.spacingMs) : Number.POSITIVE_INFINITY
    if (random.next() < model.lossRate) return
    const reached = heldByPause(time + delays.any())
    if (reached >= crashedAt) return
    counters.answers++
    if (random.next() < model.lossRate) return
    pending.push(reached + delays.any())
  }

  function goOffline(time: number): void {
    alive = false
    fireAt = Number.POSITIVE_INFINITY
    nextProbeAt = Number.POSITIVE_INFINITY
    if (crashedAt <= time) crashDetectedAt = time
    else counters.falseOfflines++
  }

  /** Processes every arrival and timer at or before `until`. */
  function advanceTo(until: number): void {
    for (;;) {
      let nextArrivalIndex = -1
      let nextArrival = Number.POSITIVE_INFINITY
      for (let i = 0; i < pending.length; i++) {
        if (pending[i]! < nextArrival) {
          nextArrival = pending[i]!
          nextArrivalIndex = i
        }
      }
      const nextTimer = alive ? Math.min(fireAt, nextProbeAt) : Number.POSITIVE_INFINITY
      const next = Math.min(nextArrival, nextTimer)
      if (next > until || next === Number.POSITIVE_INFINITY) return
      if (nextTimer < nextArrival) {
        if (nextProbeAt <= fireAt) sendProbe(nextProbeAt)
        else goOffline(fireAt)
      } else {
        pending[nextArrivalIndex] = pending[pending.length - 1]!
        pending.pop()
        accept(nextArrival)
      }
    }
  }

  return {
    counters,
    begin(snapshot) {
      pending.length = 0
      pauseStarts.length = 0
      pauseEnds.length = 0
      crashedAt = Number.POSITIVE_INFINITY
      tickPhase = random.next() * tickMs
      lastSend = 0
      counters.beats++
      const arrival = delays.onTime()
      if (snapshot === undefined) {
        fresh = true
        accept(arrival)
      } else {
        state.set(snapshot)
        fresh = false
        alive = true
        lastBeat = arrival
        arm()
      }
      lastPushAccepted = true
    },
    push(kind, pause) {
      const interval = intervalMs * (1 - model.jitter / 2 + random.next() * model.jitter)
      let extension = 0
      if (pause === 'sample' ? random.next() < pauseChance : pause !== 'none') {
        const forced = typeof pause === 'object' ? pause : undefined
        const offset = (forced?.offsetFraction ?? random.next()) * interval
        const duration = forced?.durationMs ?? Math.min(model.pauses.maxMs, random.pareto(model.pauses.minimumMs, model.pauses.alpha))
        extension = Math.max(0, offset + duration - interval)
        if (pauseStarts.length >= 8) {
          pauseStarts.shift()
          pauseEnds.shift()
        }
        pauseStarts.push(lastSend + offset)
        pauseEnds.push(lastSend + offset + duration)
      }
      const send = lastSend + interval + extension
      lastSend = send
      counters.beats++
      advanceTo(send)
      let lost: boolean
      let delay: number
      if (kind === 'on-time') {
        lost = false
        delay = delays.onTime()
      } else if (kind === 'drop') {
        // Lost, or delivered later than the threshold: P(lost | drop) = p / qd.
        const dropChance = model.lossRate + (1 - model.lossRate) * delays.lateProbability
        lost = random.next() * dropChance < model.lossRate
        delay = lost ? 0 : delays.late()
      } else {
        lost = random.next() < model.lossRate
        delay = lost ? 0 : delays.any()
      }
      lastPushAccepted = !lost && delay <= delays.thresholdMs
      if (!lost) pending.push(send + delay)
    },
    finish() {
      // Up to the last arrival only: the beats after a window are on time, so no deadline passes after it.
      while (pending.length > 0) advanceTo(Math.max(...pending))
    },
    settle() {
      advanceTo(lastSend + delays.thresholdMs)
    },
    crash(fraction) {
      const interval = intervalMs * (1 - model.jitter / 2 + random.next() * model.jitter)
      crashedAt = lastSend + fraction * interval
      crashDetectedAt = Number.NaN
      advanceTo(crashedAt)
      if (!alive) {
        crashedAt = Number.POSITIVE_INFINITY
        return Number.NaN
      }
      advanceTo(Number.POSITIVE_INFINITY)
      const detected = crashDetectedAt - crashedAt
      crashedAt = Number.POSITIVE_INFINITY
      return detected
    },
    snapshot() {
      if (!alive || !lastPushAccepted || pending.length > 0) return undefined
      return state.slice()
    },
    currentTriggerSpan() {
      const first = probes.count > 0 ? deadAt - probes.count * probes.spacingMs : deadAt
      return first - lastBeat
    },
  }
}
