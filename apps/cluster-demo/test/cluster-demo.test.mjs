import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { requireRedis } from '@hb/test-redis'
import { describe, expect, it } from 'vitest'

const hasRedis = requireRedis('cluster-demo test')

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
