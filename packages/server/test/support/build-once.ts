/**
 * Vitest global setup: the CLI tests spawn `dist/cli.js`, so it must be built
 * from the current sources. Rebuilds (tsup, a few seconds) when any file of
 * src/ or dashboard/ is newer than it; otherwise does nothing.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

function newestMtime(directory: string): number {
  let newest = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

export default function setup(): void {
  const cli = join(root, 'dist/cli.js')
  const sources = newestMtime(join(root, "src"))
  if (existsSync(cli) && statSync(cli).mtimeMs >= sources) return
  execFileSync(join(root, 'node_modules/.bin/tsup'), { cwd: root, stdio: 'inherit', timeout: 120_000 })
}
