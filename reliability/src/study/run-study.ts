/**
 * The study's driver: every sweep under 0%, 1% and 5% loss, printed as
 * Markdown tables.
 */
import type { StudyConfig } from './beat-engine.js'
import { networkWithLoss } from './network-model.js'
import { fastFixedSweep, fixedRow, phiRow, phiSweep, probeSweep, quickSweep, ratioSweep, timeoutSweep } from './rows.js'
import { runCrossCheck } from './cross-check.js'
import type { NetworkModel } from './network-model.js'
import type { RowResult } from './simulate-row.js'
import { simulateRow } from './simulate-row.js'

export interface StudyOptions {
  readonly quick: boolean
  readonly filter?: string | undefined
  readonly peerHours?: number | undefined
}

export async function runStudy(options: StudyOptions): Promise<{ failures: string[]; results: RowResult[] }> {
  const peerHours = options.peerHours ?? (options.quick ? 1e5 : 1e7)
  const sweeps: [string, StudyConfig[]][] = options.quick
    ? [['defaults, today and recommended', quickSweep()]]
    : [
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
  const failures = options.filter === undefined ? await crossCheck(options.quick) : []
  return { failures, results }
}

/**
 * The model against the code: the real monitor and beaters on a fake clock,
 * pause-free (see cross-check.ts), against simulateRow on the same model.
 * Agreement within 4 standard deviations of the two counts, else a failure.
 */
async function crossCheck(quick: boolean): Promise<string[]> {
  const noPauses = (lossRate: number): NetworkModel => ({ ...networkWithLoss(lossRate), pauses: { perHour: 0, minimumMs: 20, alpha: 1.5, maxMs: 3000 } })
  const cases = [
    { config: fixedRow(15_000, 5000), lossRate: 0.05, peers: quick ? 100 : 500, hours: quick ? 3 : 4 },
    { config: phiRow(1000, 8, 0), lossRate: 0.01, peers: quick ? 50 : 500, hours: quick ? 0.2 : 0.2 },
  ]
  const failures: string[] = []
  console.log('\n### Model vs code (real createMonitor + createBeater, fake clock, lossy memory transport, no pauses)\n')
  console.log('| config | loss | real: peer-hours / false offlines / rate | model: rate | within 4σ |')
  console.log('| --- | --- | --- | --- | --- |')
  let seed = 500
  for (const { config, lossRate, peers, hours } of cases) {
    const real = await runCrossCheck(config, noPauses(lossRate), { peers, hours, seed: seed++ })
    const model = simulateRow(config, noPauses(lossRate), { peerHours: 1e5, maxFalseOfflines: 20_000, seed: seed++, detectionSamples: 100 })
    const sd = Math.sqrt(Math.max(real.falseOfflines, 1) / real.peerHours ** 2 + Math.max(model.falseOfflines, 1) / model.peerHours ** 2)
    const agrees = Math.abs(real.rate - model.rate) <= 4 * sd
    if (!agrees) failures.push(`study: ${config.label} at ${lossRate * 100}%: real ${real.rate.toExponential(2)} vs model ${model.rate.toExponential(2)}`)
    console.log(`| ${config.label} | ${lossRate * 100}% | ${real.peerHours} / ${real.falseOfflines} / ${sci(real.rate)} | ${sci(model.rate)} | ${agrees ? 'yes' : 'NO'} |`)
  }
  return failures
}

const sci = (value: number): string => (value === 0 ? '0' : value.toExponential(1))
const sec = (ms: number): string => (ms / 1000).toFixed(2)

export function formatRow(r: RowResult): string {
  return `| ${r.label} | ${r.lossRate * 100}% | ${sci(r.peerHours)} | ${r.falseOfflines} | ${sci(r.rate)} | ${sci(r.upper95)} | ${sec(r.detection.meanMs)} / ${sec(r.detection.p99Ms)} / ${sec(r.detection.maxMs)} | ${r.packetsPerSecond.toFixed(3)} | ${r.probesPerHour.toFixed(2)} | ${r.elapsedMs.toFixed(0)} |`
}
