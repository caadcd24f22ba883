import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Smoke test: the README's main-job command runs the demo to completion by itself,
// and the story it tells is the one it promises.
describe('demo', () => {
  it('runs the story and exits cleanly by itself', async () => {
    const main = fileURLToPath(new URL('../src/main.mjs', import.meta.url))
    const child = spawn(process.execPath, [main], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const code = await new Promise((resolve, reject) => {
      const signal = AbortSignal.timeout(45_000)
      signal.addEventListener('abort', () => {
        child.kill('SIGKILL')
        reject(new Error(`demo did not exit in time:\n${out}\n${err}`))
      })
      child.on('exit', resolve)
    })
    expect(err).toBe('')
    expect(code).toBe(0)
    const lines = out.split('\n')
    const has = (re) => lines.some((l) => re.test(l))
    for (const t of ['udp', 'tcp', 'ws', 'http']) {
      expect(has(new RegExp(`online +${t}-sensor +via ${t}`))).toBe(true)
    }
    expect(has(/offline +udp-worker +reason: left/)).toBe(true)
    expect(has(/offline +http-worker +reason: left/)).toBe(true)
    expect(has(/suspect +tcp-worker/)).toBe(true)
    expect(has(/offline +tcp-worker +reason: timeout/)).toBe(true)
    expect(has(/offline +ws-worker +reason: timeout/)).toBe(true)
    expect(has(/offline +udp-sensor +reason: timeout/)).toBe(true)
    expect(lines.filter((l) => /online +udp-sensor/.test(l))).toHaveLength(2)
    expect(has(/rtt \d/)).toBe(true)
    expect(has(/done: \d+ frames accepted/)).toBe(true)
  })
})
