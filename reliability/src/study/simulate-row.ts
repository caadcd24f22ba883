/**
 * One row of the false-positive study: false offlines per peer-hour,
 * detection time and packets, for one configuration under one network.
 *
 * Event skipping. A false offline needs a gap between accepted beats longer
 * than the detector's span, and ordinary beats (delivered within the delay
 * threshold, no pause) arrive at most `maxIntervalMs + thresholdMs` apart, so
 * long stretches cannot matter. The timeline is cut into two disjoint sets of
 * places where something can happen, both drawn directly with geometric
 * jumps, and only those are simulated beat by beat on the engine:
 *
 * 1. runs of at least J consecutive dropped beats (lost, or later than the
 *    threshold), J the fewest drops whose gap could reach the earliest
 *    trigger (a probe or the dead deadline); pauses inside such a window are
 *    drawn as usual;
 * 2. every pause whose run of drops around it is shorter than J, with those
 *    few drops drawn afresh (they are independent of the pause).
 *
 * Everything else (runs of fewer than J drops without a pause) provably
 * cannot fire a deadline or a probe, and only counts toward the peer-hours.
 * The approximation left: a window's phi estimator starts from a snapshot
 * of its stationary distribution (taken beat by beat at the start), and
 * after a false offline the detector's young phase is simulated beat by beat
 * for `youngBeats` beats and then treated as stationary again. `simulateExact`
 * runs the same engine over every beat, to check the skipping.
 */
import type { BeatEngine, StudyConfig } from './beat-engine.js'
import { createBeatEngine } from './beat-engine.js'
import type { NetworkModel } from './network-model.js'
import { createDelaySampler } from './network-model.js'
import type { Random } from './random.js'
import { createRandom } from './random.js'

export interface RowOptions {
  readonly peerHours: number
  /** Stop early once this many false offlines are counted (the rate is then precise to ~1/√n). */
  readonly maxFalseOfflines: number
  readonly seed: number
  /** Crashes sampled for the detection-time columns. */
  readonly detectionSamples: number
}

export interface DetectionStats {
  readonly meanMs: number
  readonly p99Ms: number
  readonly maxMs: number
}

export interface RowResult {
  readonly label: string
  readonly lossRate: number
  readonly peerHours: number
  readonly falseOfflines: number
  /** False offlines per peer-hour; when none were seen, 0 (see `upper95`). */
  readonly rate: number
  /** 95% upper bound on the rate (3 / peer-hours when none were seen). */
  readonly upper95: number
  readonly detection: DetectionStats
  /**
   * Packets per peer-second: beats, one ack per `ACK_EVERY` beats (protocol v2
   * asks for one every 3rd beat; loss adds a few while an ack is overdue, not
   * counted), plus probes and answers (answers acked too).
   */
  readonly packetsPerSecond: number
  readonly probesPerHour: number
  readonly windows: number
  readonly elapsedMs: number
}

/** A beater asks for an ack every `ackEvery`-th beat; 3 by default (PROTOCOL.md §6.3). */
const ACK_EVERY = 3
const YOUNG_BEATS = 300
const SNAPSHOT_BURN_IN = 3000
const SNAPSHOTS = 1000
const SNAPSHOT_STRIDE = 37

interface Setup {
  readonly engine: BeatEngine
  readonly random: Random
  readonly snapshots: (Float64Array | undefined)[]
  readonly thresholdMs: number
  readonly minimumDelayMs: number
  readonly dropChance: number
  readonly triggerSpanMs: number
}

/** Stationary detector snapshots, and the smallest trigger span among them. */
function prepare(config: StudyConfig, model: NetworkModel, random: Random): Setup {
  const probeLead = config.probes.count * config.probes.spacingMs
  const maxIntervalMs = config.intervalMs * (1 + model.jitter / 2)
  let snapshots: (Float64Array | undefined)[] = [undefined]
  let triggerSpanMs = config.detector.deadAt(new Float64Array(1), 0, 0) - probeLead
  if (config.detector.stateSlots > 0) {
    const sampler = createDelaySampler(model.delay, 250, random)
    const engine = createBeatEngine(config, model, sampler, random)
    engine.begin(undefined)
    snapshots = []
    for (let beat = 0; snapshots.length < SNAPSHOTS && beat < SNAPSHOT_BURN_IN + SNAPSHOTS * SNAPSHOT_STRIDE * 20; beat++) {
      engine.push('any', 'sample')
      engine.settle()
      if (beat >= SNAPSHOT_BURN_IN && beat % SNAPSHOT_STRIDE === 0) {
        const snapshot = engine.snapshot()
        if (snapshot !== undefined) snapshots.push(snapshot)
      }
    }
    if (snapshots.length === 0) throw new Error(`${config.label}: no stationary snapshot`)
    triggerSpanMs = Number.POSITIVE_INFINITY
    for (const snapshot of snapshots) {
      triggerSpanMs = Math.min(triggerSpanMs, config.detector.deadAt(snapshot!, 0, 0) - probeLead)
    }
    // Estimates drift between snapshots; a lower bound must stay a lower bound.
    triggerSpanMs *= 0.97
  }
  const thresholdMs = Math.min(250, (triggerSpanMs - maxIntervalMs) / 2)
  if (!(thresholdMs > model.delay.baseMs)) {
    throw new Error(`${config.label}: span ${triggerSpanMs.toFixed(0)} ms leaves no room above one interval; use simulateExact`)
  }
  const delays = createDelaySampler(model.delay, thresholdMs, random)
  return {
    engine: createBeatEngine(config, model, delays, random),
    random,
    snapshots,
    thresholdMs,
    minimumDelayMs: model.delay.baseMs,
    dropChance: model.lossRate + (1 - model.lossRate) * delays.lateProbability,
    triggerSpanMs,
  }
}

function detectionStats(setup: Setup, samples: number): DetectionStats {
  const { engine, random, snapshots } = setup
  const values: number[] = []
  for (let i = 0; i < samples; i++) {
    engine.begin(snapshots[Math.floor(random.next() * snapshots.length)])
    for (let beat = 0; beat < 3; beat++) engine.push('any', 'sample')
    const detected = engine.crash(random.next())
    if (Number.isFinite(detected)) values.push(detected)
  }
  values.sort((x, y) => x - y)
  const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1)
  return { meanMs: mean, p99Ms: values[Math.floor(values.length * 0.99)] ?? Number.NaN, maxMs: values.at(-1) ?? Number.NaN }
}

/** The skipping simulation of one row. */
export function simulateRow(config: StudyConfig, model: NetworkModel, options: RowOptions): RowResult {
  const started = performance.now()
  const random = createRandom(options.seed)
  const setup = prepare(config, model, random)
  const { engine, snapshots, dropChance: qd, thresholdMs, minimumDelayMs, triggerSpanMs } = setup
  const maxIntervalMs = config.intervalMs * (1 + model.jitter / 2)
  const slackMs = thresholdMs - minimumDelayMs
  const snapshot = (): Float64Array | undefined => snapshots[Math.floor(random.next() * snapshots.length)]
  const young = (): number => {
    if (config.detector.stateSlots === 0) return 0
    for (let beat = 0; beat < YOUNG_BEATS; beat++) engine.push('any', 'sample')
    engine.finish()
    return YOUNG_BEATS
  }
  // Fewest consecutive drops whose gap can reach the earliest trigger.
  let runMinimum = 1
  while ((runMinimum + 1) * maxIntervalMs + slackMs < triggerSpanMs) runMinimum++
  const targetBeats = (options.peerHours * 3_600_000) / config.intervalMs
  let windows = 0

  // Stream 1: runs of >= runMinimum drops. A run starts at a drop; P(run >= J) = qd^(J-1).
  const harmful = qd ** (runMinimum - 1)
  let shortRunMean = 0
  if (runMinimum > 1) {
    let mass = 0
    for (let r = 1; r < runMinimum; r++) {
      const p = qd ** (r - 1) * (1 - qd)
      shortRunMean += r * p
      mass += p
    }
    shortRunMean /= mass
  }
  const goodStretch = 1 / qd
  let beats = 0
  while (qd > 0 && engine.counters.falseOfflines < options.maxFalseOfflines) {
    const harmlessRuns = random.geometricFailures(harmful)
    const run = runMinimum + random.geometricFailures(1 - qd)
    const next = beats + harmlessRuns * (shortRunMean + goodStretch) + run + goodStretch
    if (next > targetBeats) break
    beats = next
    windows++
    const before = engine.counters.falseOfflines
    engine.begin(snapshot())
    for (let i = 0; i < run; i++) engine.push('drop', 'sample')
    engine.push('on-time', 'sample')
    engine.finish()
    if (engine.counters.falseOfflines > before) beats += young()
  }
  if (qd === 0 || engine.counters.falseOfflines < options.maxFalseOfflines) beats = Math.max(beats, targetBeats)
  const streamOneOfflines = engine.counters.falseOfflines

  // Stream 2: pauses whose drop run is shorter than runMinimum.
  // Only pauses of at least shortestPauseMs can matter (a run of fewer than
  // runMinimum drops plus the pause must reach the trigger): thin the Poisson
  // process to those and draw their durations from the Pareto tail beyond it.
  const { pauses } = model
  const shortestPauseMs = Math.max(pauses.minimumMs, triggerSpanMs - runMinimum * maxIntervalMs - slackMs)
  const thinning = shortestPauseMs > pauses.maxMs ? 0 : (pauses.minimumMs / shortestPauseMs) ** pauses.alpha
  const pauseChance = -Math.expm1((-pauses.perHour * thinning * config.intervalMs) / 3_600_000)
  let intervals = 0
  while (pauseChance > 0 && engine.counters.falseOfflines < options.maxFalseOfflines * 2) {
    intervals += 1 + random.geometricFailures(pauseChance)
    if (intervals > beats) break
    const durationMs = Math.min(pauses.maxMs, random.pareto(shortestPauseMs, pauses.alpha))
    const offsetFraction = random.next()
    const before = random.geometricFailures(1 - qd)
    const pausedDropped = random.next() < qd
    const after = pausedDropped ? random.geometricFailures(1 - qd) : 0
    const run = before + (pausedDropped ? 1 + after : 0)
    if (run >= runMinimum) continue
    if ((run + 1) * maxIntervalMs + slackMs + durationMs < triggerSpanMs) continue
    windows++
    const offlinesBefore = engine.counters.falseOfflines
    engine.begin(snapshot())
    for (let i = 0; i < before; i++) engine.push('drop', 'none')
    engine.push(pausedDropped ? 'drop' : 'on-time', { offsetFraction, durationMs })
    if (pausedDropped) {
      for (let i = 0; i < after; i++) engine.push('drop', 'none')
      engine.push('on-time', 'none')
    }
    engine.finish()
    if (engine.counters.falseOfflines > offlinesBefore) beats += young()
  }
  if (intervals < beats && pauseChance > 0) {
    // Stream 2 stopped at its cap first: count stream 1 over the same stretch only.
    const streamTwo = engine.counters.falseOfflines - streamOneOfflines
    engine.counters.falseOfflines = Math.round(streamOneOfflines * (intervals / beats)) + streamTwo
    beats = intervals
  }

  const peerHours = (beats * config.intervalMs) / 3_600_000
  const falseOfflines = engine.counters.falseOfflines
  const { probes, answers } = engine.counters
  const detection = detectionStats(setup, options.detectionSamples)
  const seconds = peerHours * 3600
  return {
    label: config.label,
    lossRate: model.lossRate,
    peerHours,
    falseOfflines,
    rate: falseOfflines / peerHours,
    upper95: falseOfflines === 0 ? 3 / peerHours : (falseOfflines + 2 * Math.sqrt(falseOfflines)) / peerHours,
    detection,
    packetsPerSecond: ((1 + 1 / ACK_EVERY) * 1000) / config.intervalMs + (probes + 2 * answers) / seconds,
    probesPerHour: probes / peerHours,
    windows,
    elapsedMs: performance.now() - started,
  }
}

/** The same engine over every beat (no skipping): slow, for checking `simulateRow`. */
export function simulateExact(config: StudyConfig, model: NetworkModel, peerHours: number, seed: number): { peerHours: number; falseOfflines: number; probes: number } {
  const random = createRandom(seed)
  const engine = createBeatEngine(config, model, createDelaySampler(model.delay, 250, random), random)
  const beats = Math.round((peerHours * 3_600_000) / config.intervalMs)
  engine.begin(undefined)
  // The first beats train a fresh detector; skip their offlines as the skipping run does.
  for (let i = 0; i < 2000; i++) engine.push('any', 'sample')
  const warm = engine.counters.falseOfflines
  const warmProbes = engine.counters.probes
  for (let i = 0; i < beats; i++) engine.push('any', 'sample')
  engine.finish()
  return { peerHours, falseOfflines: engine.counters.falseOfflines - warm, probes: engine.counters.probes - warmProbes }
}
