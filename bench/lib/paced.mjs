/**
 * What the paced scenarios (udp, tcp, ws) report from a `searchMaxRate` result.
 *
 * Besides the rates, each trial records the receiver's CPU time per message
 * (process.cpuUsage over the trial ÷ messages counted): a figure that noise
 * on a shared machine disturbs much less than a maximum rate. It is reported
 * at each side's highest passing rate, because it falls as the rate rises
 * (more frames per read, acks corked together): compared there, the two give
 * messages per CPU-second at full load, an estimate of the capacity ratio that
 * holds even when the baseline's rate is only a lower bound (the generator
 * could not send faster).
 */
import { ratioVerdict } from './report.mjs'
import { formatCount } from './stats.mjs'

/** CPU microseconds (user + system) between two `process.cpuUsage()` readings. */
export function cpuMicroseconds(before, after) {
  return after.user - before.user + (after.system - before.system)
}

/** CPU µs per message in the passing trial at the side's highest rate. */
function cpuPerMessage(side) {
  let best
  for (const trial of side.trials) {
    if (trial.ok && trial.received > 0 && (best === undefined || trial.achievedRate > best.achievedRate)) best = trial
  }
  return best === undefined ? NaN : best.cpuMicrosecondsPerMessage
}

/**
 * The three modes every transport scenario reports (issue 11), each against
 * its like-for-like baseline, searched in the same run:
 * - `hb`: the default configuration (beaters ask for an ack every 3rd beat)
 *   vs the count-only baseline;
 * - `hbEvery`: beaters with `ackEvery: 1` (an ack for every beat) vs the echo
 *   baseline, which answers every message with a reply the size of an ack;
 * - `hbOneWay`: the monitor with `acks: false` vs the count-only baseline.
 */
export const MODES = [
  { key: 'hb', label: 'default', baseline: 'baseline' },
  { key: 'hbEvery', label: 'ackEvery 1', baseline: 'echo' },
  { key: 'hbOneWay', label: 'one-way', baseline: 'baseline' },
]

/**
 * One mode's figures and verdict. The rate ratio decides when its bounds
 * settle the target; when a side's rate is only a bound (its generator could
 * not send faster), the CPU-per-message ratio decides, as BENCHMARKS.md says.
 */
export function modeVerdict({ hbRate, baselineRate, hbBound, baselineBound, hbCpu, baselineCpu, target }) {
  const ratio = hbRate / baselineRate
  const byCpu = baselineCpu / hbCpu
  const byRate = ratioVerdict(ratio, target, { hbLowerBound: hbBound, baselineLowerBound: baselineBound })
  const met = byRate ?? (Number.isFinite(byCpu) ? byCpu >= target : null)
  return { ratio, byCpu, target, met, decidedBy: byRate === null ? 'cpu' : 'rate', hbBound, baselineBound }
}

/** `≤ 0.83 (by CPU 0.80) ≥ 0.8 met` */
export function formatMode(label, m) {
  const prefix = m.baselineBound ? '≤ ' : m.hbBound ? '≥ ' : ''
  const verdict = m.met === true ? 'met' : m.met === false ? 'MISSED' : 'unknown'
  return `${label} ${prefix}${m.ratio.toFixed(2)} (by CPU ${m.byCpu.toFixed(2)}) vs ≥ ${m.target}: ${verdict}${m.met !== null ? ` by ${m.decidedBy}` : ''}`
}

/**
 * The result of a paced scenario: the line shows the default mode against
 * the count-only baseline; `met` is true only when all three modes meet their
 * targets; the note gives every mode's ratio, by rate and by CPU.
 * `targets`: `{ hb, hbEvery, hbOneWay }`.
 */
export function pacedResult({ found, targets, baselineUnit, note, details }) {
  const cpu = Object.fromEntries(Object.entries(found).map(([name, side]) => [name, cpuPerMessage(side)]))
  const modes = {}
  for (const { key, baseline } of MODES) {
    const hbSide = found[key]
    const baseSide = found[baseline]
    modes[key] = {
      hbRate: hbSide.rate,
      baselineRate: baseSide.rate,
      hbCpuMicrosecondsPerMessage: cpu[key],
      baselineCpuMicrosecondsPerMessage: cpu[baseline],
      ...modeVerdict({
        hbRate: hbSide.rate,
        baselineRate: baseSide.rate,
        hbBound: hbSide.generatorBound,
        baselineBound: baseSide.generatorBound,
        hbCpu: cpu[key],
        baselineCpu: cpu[baseline],
        target: targets[key],
      }),
    }
  }
  const atLeast = (side) => (side.generatorBound ? '≥ ' : '')
  const unconfirmed = Object.values(found).some((side) => side.confirmed === false)
  const verdicts = Object.values(modes).map((m) => m.met)
  const met = verdicts.every((v) => v === true) ? true : verdicts.some((v) => v === false) ? false : null
  const main = modes.hb
  const rates = Object.entries(found)
    .map(([name, side]) => `${name} ${atLeast(side)}${formatCount(side.rate)}/s ${cpu[name].toFixed(1)} µs`)
    .join(', ')
  return {
    unit: 'beats/s',
    hb: found.hb.rate,
    baseline: found.baseline.rate,
    hbText: `${atLeast(found.hb)}${formatCount(found.hb.rate)} beats/s`,
    baselineText: `${atLeast(found.baseline)}${formatCount(found.baseline.rate)} ${baselineUnit}`,
    ratio: main.ratio,
    ratioText: `${main.baselineBound ? '≤ ' : main.hbBound ? '≥ ' : ''}${main.ratio.toFixed(2)}`,
    target: `≥ ${targets.hb}/${targets.hbEvery}/${targets.hbOneWay}`,
    met,
    note:
      MODES.map(({ key, label, baseline }) => formatMode(`${label} vs ${baseline === 'echo' ? 'echo' : 'count-only'}`, modes[key])).join('; ') +
      `; rate and CPU/msg at the top rate: ${rates}; ` +
      note +
      (unconfirmed ? '; a rate did not reproduce on the confirmation run' : ''),
    details: { ...details, modes, cpuMicrosecondsPerMessage: cpu, search: found },
  }
}
