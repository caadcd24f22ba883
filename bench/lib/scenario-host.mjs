/**
 * Runs one scenario in its own process (started by run.mjs, in its own
 * process group so a time-out kills it and everything it started):
 * `node --expose-gc lib/scenario-host.mjs <name>` with `BENCH_QUICK`,
 * `BENCH_PROFILE` and `BENCH_VERBOSE` in the environment. Sends the result
 * to run.mjs over IPC and exits.
 */
import { stopAll } from './children.mjs'

const name = process.argv[2]
const context = {
  quick: process.env.BENCH_QUICK === '1',
  profile: process.env.BENCH_PROFILE === '1',
  verbose: process.env.BENCH_VERBOSE === '1',
  /** Children to stop when the scenario ends, however it ends. */
  children: [],
  log(message) {
    if (context.verbose) console.error(`  [${name}] ${message}`)
  },
  /** Registers a child for clean-up and returns it. */
  own(child) {
    context.children.push(child)
    return child
  },
}

async function main() {
  const started = performance.now()
  const { run } = await import(`../scenarios/${name}.mjs`)
  let result
  try {
    result = await run(context)
  } finally {
    await stopAll(context.children)
  }
  process.send({ type: 'result', result: { ...result, durationMs: performance.now() - started } })
}

main().then(
  () => process.disconnect(),
  (error) => {
    process.send({ type: 'error', error: String(error?.stack ?? error) }, () => process.exit(1))
  },
)
