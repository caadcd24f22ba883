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

export function pacedResult({ found, target, baselineUnit, note, details }) {
  const hbRate = found.hb.rate
  const baselineRate = found.baseline.rate
  const ratio = hbRate / baselineRate
  const atLeast = (side) => (side.generatorBound ? '≥ ' : '')
  const unconfirmed = [found.hb, found.baseline].some((side) => side.confirmed === false)
  const cpu = { hb: cpuPerMessage(found.hb), baseline: cpuPerMessage(found.baseline) }
  return {
    unit: 'beats/s',
    hb: hbRate,
    baseline: baselineRate,
    hbText: `${atLeast(found.hb)}${formatCount(hbRate)} beats/s`,
    baselineText: `${atLeast(found.baseline)}${formatCount(baselineRate)} ${baselineUnit}`,
    ratio,
    ratioText: `${found.baseline.generatorBound ? '≤ ' : found.hb.generatorBound ? '≥ ' : ''}${ratio.toFixed(2)}`,
    target: `≥ ${target}×`,
    met: ratioVerdict(ratio, target, { hbLowerBound: found.hb.generatorBound, baselineLowerBound: found.baseline.generatorBound }),
    note:
      `CPU/msg at the top rate hb ${cpu.hb.toFixed(1)} µs vs ${cpu.baseline.toFixed(1)} µs (by CPU ${(cpu.baseline / cpu.hb).toFixed(2)}); ` +
      note +
      (found.baseline.generatorBound ? '; baseline took all the generator could send' : '') +
      (found.hb.generatorBound ? '; hb took all the generator could send' : '') +
      (unconfirmed ? '; a rate did not reproduce on the confirmation run' : ''),
    details: { ...details, cpuMicrosecondsPerMessage: cpu, ratioByCpu: cpu.baseline / cpu.hb, search: found },
  }
}

/**
 * Adds hb in one-way mode (`acks: false`) to a paced result, as a second
 * figure against the same count-only baseline: the target's ratio stays hb's
 * default (acking) mode, which writes a signed ack per beat that the baseline
 * does not; one-way mode is the like-for-like comparison.
 */
export function withOneWay(result, found) {
  const side = found.hbOneWay
  if (side === undefined) return result
  const ratio = side.rate / found.baseline.rate
  const cpu = cpuPerMessage(side)
  const bound = found.baseline.generatorBound ? '≤ ' : ''
  return {
    ...result,
    note: `${result.note}; one-way (acks: false): ${side.generatorBound ? '≥ ' : ''}${formatCount(side.rate)} beats/s, ratio ${bound}${ratio.toFixed(2)}, CPU/msg ${cpu.toFixed(1)} µs (by CPU ${(result.details.cpuMicrosecondsPerMessage.baseline / cpu).toFixed(2)})`,
    details: {
      ...result.details,
      oneWay: { rate: side.rate, ratio, cpuMicrosecondsPerMessage: cpu, ratioByCpu: result.details.cpuMicrosecondsPerMessage.baseline / cpu, generatorBound: side.generatorBound },
    },
  }
}
