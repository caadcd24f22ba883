/**
 * Least-squares slope of samples over time: how fast memory grows, in units
 * per minute. A leak shows as a slope that does not flatten with run length.
 */
export interface Sample {
  readonly atMs: number
  readonly value: number
}

export function slopePerMinute(samples: readonly Sample[]): number {
  const n = samples.length
  if (n < 2) return 0
  let sumT = 0
  let sumV = 0
  for (const { atMs, value } of samples) {
    sumT += atMs
    sumV += value
  }
  const meanT = sumT / n
  const meanV = sumV / n
  let covariance = 0
  let variance = 0
  for (const { atMs, value } of samples) {
    covariance += (atMs - meanT) * (value - meanV)
    variance += (atMs - meanT) ** 2
  }
  return variance === 0 ? 0 : (covariance / variance) * 60_000
}
