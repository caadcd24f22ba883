/**
 * The one line each scenario prints. A scenario's result carries:
 * `hb`, `baseline` (numbers) and their `unit`, or `hbText`/`baselineText`
 * to show instead; `ratio` (hb ÷ baseline) and `target` (e.g. `≥ 0.5`);
 * `met` (true, false, or null when there is no target or the bounds do not
 * settle it); an optional `note`.
 */
import { formatFigure } from './stats.mjs'

export function formatLine(outcome) {
  const name = outcome.name.padEnd(10)
  if (!outcome.ok) return `${name} FAILED after ${(outcome.durationMs / 1000).toFixed(1)} s`
  const r = outcome.result
  const hb = r.hbText ?? formatFigure(r.hb, r.unit)
  const baseline = r.baselineText ?? formatFigure(r.baseline, r.unit)
  const ratio = r.ratioText ?? (Number.isFinite(r.ratio) ? r.ratio.toFixed(r.ratio >= 10 ? 1 : 2) : 'n/a')
  const verdict = r.met === true ? 'met' : r.met === false ? 'MISSED' : r.target ? 'unknown' : 'no target'
  const time = `${(outcome.durationMs / 1000).toFixed(0)} s`
  return `${name} hb ${hb.padEnd(20)} baseline ${baseline.padEnd(20)} ratio ${ratio.padEnd(6)} ` +
    `target ${(r.target ?? '—').padEnd(14)} ${verdict.padEnd(9)} ${time.padStart(5)}${r.note ? `  ${r.note}` : ''}`
}

/**
 * Whether a ratio target (hb ÷ baseline ≥ `target`) is met when either figure
 * may be only a lower bound (its load generator could not go faster): true or
 * false when the bounds settle it, null when they do not.
 */
export function ratioVerdict(ratio, target, { hbLowerBound = false, baselineLowerBound = false } = {}) {
  if (ratio >= target) return baselineLowerBound ? null : true
  return hbLowerBound ? null : false
}
