import { spawnSync, execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const hasRedis = spawnSync(process.env.HB_REDIS_SERVER ?? 'redis-server', ['--version']).status === 0
if (!hasRedis && process.env.HB_REQUIRE_REDIS === '1') throw new Error('redis-server not found (HB_REQUIRE_REDIS=1)')
if (!hasRedis) console.warn('cluster-demo test SKIPPED: redis-server not found')

describe.skipIf(!hasRedis)('cluster demo', () => {
  it('runs to its end and prints one online and one offline per peer', async () => {
    const main = fileURLToPath(new URL('../src/main.mjs', import.meta.url))
    const { code, stdout } = await new Promise((resolve) => {
      execFile(process.execPath, [main], { timeout: 50_000 }, (error, out) => resolve({ code: error ? error.code ?? 1 : 0, stdout: out }))
    })
    expect(stdout).toContain('SIGKILL m0')
    expect(stdout).toContain('every peer: exactly one online and one offline for the whole cluster')
    expect(code).toBe(0)
  })
})
