/**
 * hb benchmarks: `pnpm bench [--quick] [--only <name>[,<name>…]] [--profile] [--verbose]`.
 *
 * Every scenario runs in its own process group with a hard time limit, and
 * measures hb against its baseline in the same run, alternating between the
 * two so that machine noise hits both. One line per scenario on stdout; all
 * of it, with the machine's description, in bench/results/latest.json (and,
 * for a full run of every scenario, bench/results/full-run.json, the copy
 * that is committed).
 *
 * Exit status: 0 whatever the ratios (these are benchmarks, not tests);
 * 1 if a scenario crashed or ran out of time; 2 for bad arguments.
 */
import { fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeMachine, formatCpuFlags } from './lib/machine.mjs'
import { formatLine } from './lib/report.mjs'
import { roundDeep } from './lib/stats.mjs'

const benchDir = dirname(fileURLToPath(import.meta.url))

/** name → hard time limit in seconds (quick, full) and what it measures. */
const scenarios = {
  wheel: { quick: 25, full: 150, about: 'timing wheel re-arm vs clearTimeout+setTimeout, 1M entries, random order' },
  memory: { quick: 40, full: 300, about: 'bytes per tracked peer, whole process: monitor vs Map + setTimeout per peer' },
  udp: { quick: 45, full: 420, about: 'highest zero-loss paced rate: monitor on @hb/udp vs a counting dgram server' },
  tcp: { quick: 40, full: 360, about: 'highest sustained paced rate, 1000 connections: @hb/tcp vs a counting net server' },
  ws: { quick: 40, full: 360, about: 'highest sustained paced rate, 1000 connections: @hb/ws vs a counting ws server' },
  http: { quick: 35, full: 260, about: 'requests/s with autocannon: @hb/http vs node:http answering 204 (count-only) or 200 with an ack-sized body (echo)' },
  codeskyblue: { quick: 25, full: 150, about: 'CPU per beat: the codeskyblue/heartbeat endpoint vs a native hb HTTP beat' },
  detection: { quick: 35, full: 200, about: 'offline time minus deadline (p99, min) under load' },
  'ws-recipe': { quick: 45, full: 300, about: "the ws README's ping/isAlive sweep vs @hb/ws: detection and CPU" },
  redis: { quick: 180, full: 1200, about: '@hb/redis, 3 processes: Redis ops per beat, memory per peer, offline latency vs SET PX + keyspace notifications (full: 1M peers)' },
}

function parseArgs(argv) {
  const options = { quick: false, only: [], profile: false, verbose: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') continue
    if (arg === '--quick') options.quick = true
    else if (arg === '--profile') options.profile = true
    else if (arg === '--verbose' || arg === '-v') options.verbose = true
    else if (arg === '--only') options.only.push(...String(argv[++i] ?? '').split(','))
    else if (arg.startsWith('--only=')) options.only.push(...arg.slice(7).split(','))
    else if (arg === '--list') options.list = true
    else if (arg === '--help' || arg === '-h') options.help = true
    else throw new Error(`unknown argument ${arg}`)
  }
  options.only = options.only.filter(Boolean)
  for (const name of options.only) if (!(name in scenarios)) throw new Error(`unknown scenario ${name} (see --list)`)
  return options
}

/** Runs one scenario in a fresh process group; resolves with its result or its failure. */
function runScenario(name, options) {
  const limitMs = scenarios[name][options.quick ? 'quick' : 'full'] * 1000
  return new Promise((resolve) => {
    const started = performance.now()
    const child = fork(join(benchDir, 'lib', 'scenario-host.mjs'), [name], {
      detached: true,
      execArgv: ['--expose-gc'],
      env: {
        ...process.env,
        BENCH_QUICK: options.quick ? '1' : '0',
        BENCH_PROFILE: options.profile ? '1' : '0',
        BENCH_VERBOSE: options.verbose ? '1' : '0',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let outcome
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    current = killGroup
    const limit = setTimeout(() => {
      outcome ??= { ok: false, error: `time limit of ${limitMs / 1000} s reached` }
      killGroup()
    }, limitMs)
    child.on('message', (message) => {
      if (message?.type === 'result') outcome ??= { ok: true, result: message.result }
      else if (message?.type === 'error') outcome ??= { ok: false, error: message.error }
    })
    // A finished scenario gets a moment to exit on its own; then its group goes.
    let grace
    child.on('disconnect', () => {
      grace = setTimeout(killGroup, 3_000)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(limit)
      clearTimeout(grace)
      killGroup() // whatever it started and left behind
      current = undefined
      outcome ??= { ok: false, error: `exited with code ${code}, signal ${signal}, without a result` }
      resolve({ name, durationMs: performance.now() - started, ...outcome })
    })
  })
}

let current
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    current?.()
    process.exit(130)
  })
}

async function main() {
  let options
  try {
    options = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error(String(error.message))
    process.exitCode = 2
    return
  }
  if (options.help || options.list) {
    console.log('usage: pnpm bench [--quick] [--only <name>[,<name>…]] [--profile] [--verbose]\n')
    for (const [name, { about }] of Object.entries(scenarios)) console.log(`  ${name.padEnd(10)} ${about}`)
    return
  }
  const names = options.only.length > 0 ? options.only : Object.keys(scenarios)
  const machine = describeMachine()
  const started = performance.now()
  console.log(`hb benchmarks (${options.quick ? 'quick' : 'full'} mode) on ${machine.cpuModel} (${formatCpuFlags(machine.cpuFlags)}), ${machine.cores} cores, ` +
    `${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node}, load average ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}; ` +
    `HMAC ns/beat: core ${machine.hmac.nsPerMac.core.toFixed(0)}, node:crypto hash×2 ${machine.hmac.nsPerMac.nodeHashTwice.toFixed(0)}, ` +
    `createHmac ${machine.hmac.nsPerMac.nodeCreateHmac.toFixed(0)}`)
  const results = []
  for (const name of names) {
    const outcome = await runScenario(name, options)
    results.push(outcome)
    console.log(formatLine(outcome))
    if (!outcome.ok) console.error(`  ${name} failed: ${outcome.error}`)
  }
  const durationMs = performance.now() - started
  const failed = results.filter((r) => !r.ok).map((r) => r.name)
  console.log(`${results.length} scenario(s) in ${(durationMs / 1000).toFixed(1)} s` +
    (failed.length > 0 ? `; FAILED: ${failed.join(', ')}` : ''))

  const report = roundDeep({
    mode: options.quick ? 'quick' : 'full',
    only: options.only.length > 0 ? options.only : undefined,
    machine,
    loadAverageAtEnd: (await import('node:os')).loadavg(),
    durationMs,
    scenarios: results,
  })
  const dir = join(benchDir, 'results')
  mkdirSync(dir, { recursive: true })
  const text = `${JSON.stringify(report, null, 2)}\n`
  writeFileSync(join(dir, 'latest.json'), text)
  if (!options.quick && options.only.length === 0 && !options.profile) writeFileSync(join(dir, 'full-run.json'), text)
  if (failed.length > 0) process.exitCode = 1
}

await main()
