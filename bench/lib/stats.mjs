/**
 * Small statistics and number formatting for the result lines.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Nearest-rank percentile, p in [0, 100], of a non-empty list. */
export function percentile(values, p) {
  const sorted = Float64Array.from(values).sort()
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]
}

/** min, p50, p90, p99, max and count of a list (all NaN when empty). */
export function summarize(values) {
  if (values.length === 0) return { count: 0, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN }
  const sorted = Float64Array.from(values).sort()
  const at = (p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]
  return { count: sorted.length, min: sorted[0], p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] }
}

/** 1234567 → "1.23M", 45210 → "45.2k". */
export function formatCount(value) {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`
  if (abs >= 1e3) return `${(value / 1e3).toPrecision(3)}k`
  return value.toPrecision(3)
}

/** A figure with its unit, e.g. "45.2k beats/s", "148 B/peer", "51.3 ms". */
export function formatFigure(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a'
  if (unit.endsWith('/s')) return `${formatCount(value)} ${unit}`
  if (unit === 'ms') return `${value.toFixed(1)} ms`
  return `${Math.round(value)} ${unit}`
}

/** Rounds every number in a (JSON) value to `digits` significant digits, for a readable results file. */
export function roundDeep(value, digits = 5) {
  if (typeof value === 'number') return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(digits)) : value
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)]))
  }
  return value
}
