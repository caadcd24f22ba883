/**
 * The study's driver: every sweep under 0%, 1% and 5% loss, printed as
 * Markdown tables.
 */
import type { StudyConfig } from './beat-engine.js'
import { networkWithLoss } from './network-model.js'
import { fastFixedSweep, phiSweep, probeSweep, ratioSweep, timeoutSweep } from './rows.js'
import type { RowResult } from './simulate-row.js'
import { simulateRow } from './simulate-row.js'

export interface StudyOptions {
  readonly quick: boolean
  readonly filter?: string | undefined
  readonly peerHours?: number | undefined
}

export function runStudy(options: StudyOptions): { failures: string[]; results: RowResult[] } {
  const peerHours = options.peerHours ?? (options.quick ? 1e5 : 1e7)
  const sweeps: [string, StudyConfig[]][] = [
    ['T = 15 s, interval T/k', ratioSweep()],
    ['interval 5 s, T varies', timeoutSweep()],
    ['phi accrual, 1 s beats', phiSweep()],
    ['fixed timeout, 1 s beats', fastFixedSweep()],
    ['probe on suspect', probeSweep()],
  ]
  const results: RowResult[] = []
  let seed = 1
  for (const [title, rows] of sweeps) {
    console.log(`\n### ${title}\n`)
    console.log('| config | loss | peer-hours | false offlines | per peer-hour | 95% upper | detect mean / p99 / max (s) | packets/peer-s | probes/peer-h | ms |')
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for (const config of rows) {
      if (options.filter !== undefined && !config.label.includes(options.filter)) continue
      for (const lossRate of [0, 0.01, 0.05]) {
        const result = simulateRow(config, networkWithLoss(lossRate), {
          peerHours,
          maxFalseOfflines: options.quick ? 2e3 : 2e4,
          seed: seed++,
          detectionSamples: options.quick ? 2000 : 20_000,
        })
        results.push(result)
        console.log(formatRow(result))
      }
    }
  }
  return { failures: [], results }
}

const sci = (value: number): string => (value === 0 ? '0' : value.toExponential(1))
const sec = (ms: number): string => (ms / 1000).toFixed(2)

export function formatRow(r: RowResult): string {
  return `| ${r.label} | ${r.lossRate * 100}% | ${sci(r.peerHours)} | ${r.falseOfflines} | ${sci(r.rate)} | ${sci(r.upper95)} | ${sec(r.detection.meanMs)} / ${sec(r.detection.p99Ms)} / ${sec(r.detection.maxMs)} | ${r.packetsPerSecond.toFixed(3)} | ${r.probesPerHour.toFixed(2)} | ${r.elapsedMs.toFixed(0)} |`
}
