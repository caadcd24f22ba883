/**
 * `pnpm reliability [--quick] [part…]`: runs the reliability suite's parts and
 * prints their tables. The last line is `reliability: ok` or
 * `reliability: FAILED (…)`, for CI to check.
 */
import { runFaultSuite } from './proxy/run-fault-suite.js'
import { runHostileTests } from './hostile/run-hostile-tests.js'
import { printSoak, runSoak } from './soak/run-soak.js'
import { runStudy } from './study/run-study.js'

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const quick = args.includes('--quick')
  const parts = args.filter((arg) => !arg.startsWith('--'))
  const failures: string[] = []
  const wants = (part: string): boolean => parts.length === 0 || parts.includes(part)
  if (wants('study')) {
    const outcome = await runStudy({ quick, filter: valueOf(args, '--rows'), peerHours: numberOf(args, '--hours') })
    failures.push(...outcome.failures)
  }
  if (wants('faults')) {
    const outcome = await runFaultSuite({ quick })
    failures.push(...outcome.failures)
  }
  // The hostile tests (a child process) and the soak are mostly waiting on sockets: run them side by side.
  const [hostile, soak] = await Promise.all([
    wants('hostile') ? runHostileTests() : undefined,
    wants('soak') ? runSoak({ quick }) : undefined,
  ])
  if (hostile !== undefined) failures.push(...hostile.failures)
  if (soak !== undefined) {
    printSoak(soak.result)
    failures.push(...soak.failures)
  }
  console.log(failures.length === 0 ? 'reliability: ok' : `reliability: FAILED (${failures.join('; ')})`)
  if (failures.length > 0) process.exitCode = 1
}

function numberOf(args: string[], name: string): number | undefined {
  const value = valueOf(args, name)
  return value === undefined ? undefined : Number(value)
}

function valueOf(args: string[], name: string): string | undefined {
  const found = args.find((arg) => arg.startsWith(`${name}=`))
  return found?.slice(name.length + 1)
}

await main()
