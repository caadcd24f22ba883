/**
 * The hostile-input part of `pnpm reliability`: the vitest files under test/
 * that attack real sockets (hostile-*, fixed-*, resilience), run in a child
 * process. Their own assertions decide; this only reports the outcome.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packageRoot = fileURLToPath(new URL('..', import.meta.url))

export async function runHostileTests(): Promise<{ failures: string[] }> {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
  const files = ['test/hostile-', 'test/fixed-', 'test/resilience']
  const child = spawn(process.execPath, [vitest, 'run', '--reporter=dot', ...files], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  let output = ''
  child.stdout.on('data', (data: Buffer) => (output += data.toString()))
  child.stderr.on('data', (data: Buffer) => (output += data.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  console.log('\n### Hostile inputs and resilience (vitest)\n')
  console.log(output.trimEnd())
  return { failures: code === 0 ? [] : [`hostile tests: vitest exited with ${code} (see above)`] }
}
