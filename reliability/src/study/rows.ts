/**
 * The study's configurations: the sweeps the issue asks for, as rows.
 */
import { fixedTimeout, phiAccrual } from '@hb/core'
import type { ProbeOptions, StudyConfig } from './beat-engine.js'

const NO_PROBES: ProbeOptions = { count: 0, spacingMs: 0 }
/** The monitor's default tick for timeouts ≥ 2 s: timeoutMs / 20 clamped to 10…100. */
const tickFor = (timeoutMs: number): number => Math.min(100, Math.max(10, Math.round(timeoutMs / 20)))

export function fixedRow(timeoutMs: number, intervalMs: number, probes: ProbeOptions = NO_PROBES): StudyConfig {
  const ratio = timeoutMs / intervalMs
  const probeLabel = probes.count > 0 ? ` probe ${probes.count}×${probes.spacingMs}` : ''
  return {
    label: `fixed T=${timeoutMs / 1000}s I=${Math.round(intervalMs)}ms (T/${Number(ratio.toFixed(2))})${probeLabel}`,
    detector: fixedTimeout({ timeoutMs }),
    intervalMs,
    tickMs: tickFor(timeoutMs),
    probes,
  }
}

export function phiRow(intervalMs: number, threshold: number, acceptablePauseMs: number, probes: ProbeOptions = NO_PROBES): StudyConfig {
  const probeLabel = probes.count > 0 ? ` probe ${probes.count}×${probes.spacingMs}` : ''
  return {
    label: `phi I=${intervalMs}ms φ=${threshold} pause=${acceptablePauseMs}${probeLabel}`,
    detector: phiAccrual({ threshold, acceptablePauseMs, firstIntervalMs: intervalMs }),
    intervalMs,
    tickMs: 100,
    probes,
  }
}

/** T fixed at 15 s, interval T/k: integer and half-integer k. */
export const ratioSweep = (): StudyConfig[] =>
  [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8].map((k) => fixedRow(15_000, 15_000 / k))

/** Interval 5 s, T = 15/20/25/30 s. */
export const timeoutSweep = (): StudyConfig[] => [15_000, 20_000, 25_000, 30_000].map((t) => fixedRow(t, 5000))

/** φ accrual at 1 s beats. */
export const phiSweep = (): StudyConfig[] => {
  const rows: StudyConfig[] = []
  for (const threshold of [8, 10, 12]) {
    for (const pause of [0, 1000, 2000, 3000]) rows.push(phiRow(1000, threshold, pause))
  }
  return rows
}

/** Probe on suspect: n = 1..3 probes 1 s apart before the deadline. */
export const probeSweep = (): StudyConfig[] => {
  const rows: StudyConfig[] = []
  for (const count of [1, 2, 3]) {
    rows.push(fixedRow(15_000, 5000, { count, spacingMs: 1000 }))
    rows.push(fixedRow(15_000, 15_000 / 3.5, { count, spacingMs: 1000 }))
    rows.push(fixedRow(15_000, 15_000 / 4.5, { count, spacingMs: 1000 }))
  }
  for (const count of [1, 2]) rows.push(phiRow(1000, 8, 2000, { count, spacingMs: 500 }))
  return rows
}

/** fixedTimeout at 1 s beats, for comparing with phi accrual at equal detection time. */
export const fastFixedSweep = (): StudyConfig[] => [3000, 4000, 4500, 5000, 5500].map((t) => fixedRow(t, 1000))

/** The rows CI runs (`--quick`): today's defaults, the recommended ones, and probing. */
export const quickSweep = (): StudyConfig[] => [
  fixedRow(15_000, 5000),
  fixedRow(15_000, 15_000 / 6.5),
  fixedRow(15_000, 15_000 / 4.5, { count: 2, spacingMs: 1000 }),
  phiRow(1000, 8, 0),
  phiRow(1000, 8, 3000),
]
