import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { Beater, Monitor, StopFunction } from '../src/index.js'
import type { FakeClock } from '../src/testing/index.js'
import { settle } from '../src/testing/index.js'

// Runs the README's "Testing your code" example exactly as written (plus one
// export line so the test can reach its variables), then checks its behaviour.
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
const section = readme.slice(readme.indexOf('## Testing your code'))
const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
const dir = fileURLToPath(new URL('./.readme-example/', import.meta.url))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('README example', () => {
  it('works as written: online, then offline at the right tick after a silent stop', async () => {
    expect(example).toContain("createMonitor({ secret: 'my-secret', timeoutMs: 1000, clock, transports: [server] })")
    mkdirSync(dir, { recursive: true })
    const file = `${dir}example.ts`
    writeFileSync(file, `${example}\nexport { clock, monitor, beater, stop }\n`)
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { clock, monitor, stop } = (await import(/* @vite-ignore */ file)) as {
      clock: FakeClock
      monitor: Monitor
      beater: Beater
      stop: StopFunction
    }
    await settle()
    expect(log.mock.calls.map((c) => c.join(' '))).toEqual(['client-1 is online'])
    clock.advance(2000)
    await stop({ bye: false }) // last beat near 2000 (jittered intervals of about 250 ms)
    const lastSeen = monitor.get('client-1')?.lastSeenMonotonicMs as number
    clock.advance(lastSeen + 999 - clock.now())
    expect(monitor.get('client-1')?.state).toBe('suspect') // its link dropped; not convicted before the deadline
    expect(log.mock.calls).toHaveLength(1)
    clock.advance(1 + 50)
    expect(log.mock.calls.map((c) => c.join(' '))).toEqual(['client-1 is online', 'client-1 is offline: timeout'])
    await monitor.close()
    expect(clock.pending()).toBe(0)
    log.mockRestore()
  })
})
