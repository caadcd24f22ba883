/**
 * The fault-proxy part of `pnpm reliability`: every scenario, a table, and the
 * checks that cannot flake (counts, not wall times).
 */
import { faultScenarios } from './fault-scenarios.js'
import type { ScenarioResult } from './run-fault-scenario.js'
import { SCENARIO_INTERVAL_MS, SCENARIO_TIMEOUT_MS, runFaultScenario } from './run-fault-scenario.js'

export async function runFaultSuite(options: { quick: boolean }): Promise<{ failures: string[]; results: ScenarioResult[] }> {
  const peers = options.quick ? 10 : 50
  const windowMs = options.quick ? 1500 : 15_000
  const failures: string[] = []
  const results: ScenarioResult[] = []
  console.log(`\n### Fault proxy (beat ${SCENARIO_INTERVAL_MS} ms, timeout ${SCENARIO_TIMEOUT_MS} ms, ${peers} peers, ${windowMs / 1000} s window)\n`)
  console.log('| transport | fault | false offlines | partition offlines / recovery ms | rejected | proxy dropped / dup / reordered / partitioned | detect mean / max ms |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  // Scenarios are independent (own monitor, proxy and ports) and mostly idle: run them at once.
  const settled = await Promise.allSettled(faultScenarios.map((scenario, index) => runFaultScenario(scenario, { peers, windowMs, seed: 100 + index })))
  settled.forEach((outcome, index) => {
    const scenario = faultScenarios[index]!
    if (outcome.status === 'rejected') {
      failures.push(`fault ${scenario.transport} ${scenario.name}: ${(outcome.reason as Error).message}`)
      return
    }
    const result = outcome.value
    results.push(result)
    const rejected = Object.entries(result.rejected).map(([reason, count]) => `${reason} ${count}`).join(', ') || '0'
    const partition = result.partitionOfflines === undefined ? '–' : `${result.partitionOfflines} / ${result.recoveryMs?.toFixed(0)}`
    const p = result.proxy
    console.log(
      `| ${result.transport} | ${result.scenario} | ${result.falseOfflines} | ${partition} | ${rejected} | ${p.dropped} / ${p.duplicated} / ${p.reordered} / ${p.partitioned} | ${result.detectionMeanMs.toFixed(0)} / ${result.detectionMaxMs.toFixed(0)} |`,
    )
    failures.push(...checkScenario(result, scenario.partitionMs))
  })
  return { failures, results }
}

/** What must hold whatever the machine's speed. */
export function checkScenario(result: ScenarioResult, partitionMs: number | undefined): string[] {
  const failures: string[] = []
  const name = `fault ${result.transport} ${result.scenario}`
  if (result.size > result.peers) failures.push(`${name}: ${result.size} peers tracked for ${result.peers} beaters`)
  if (partitionMs !== undefined && partitionMs > SCENARIO_TIMEOUT_MS * 2 && result.partitionOfflines !== result.peers) {
    failures.push(`${name}: ${result.partitionOfflines} of ${result.peers} peers went offline during a ${partitionMs} ms partition`)
  }
  if (result.proxy.duplicated > 0 && (result.rejected.replay ?? 0) === 0) failures.push(`${name}: duplicated frames were not rejected as replays`)
  return failures
}
