#!/usr/bin/env node
/**
 * Builds the packages a root script needs without printing turbo's logs:
 * a newcomer running `pnpm demo` should see the demo from its first line.
 * On failure, everything turbo printed is shown, and the exit code is kept.
 *
 * Usage: node scripts/quiet-build.mjs --filter=@hb/demo...
 */
import { spawnSync } from 'node:child_process'

const result = spawnSync('turbo', ['run', 'build', '--output-logs=errors-only', ...process.argv.slice(2)], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
  shell: process.platform === 'win32',
})
if (result.error !== undefined || result.status !== 0) {
  process.stdout.write(result.stdout ?? '')
  process.stderr.write(result.stderr ?? '')
  if (result.error !== undefined) console.error(`build failed to start: ${result.error.message}`)
  process.exit(result.status ?? 1)
}
