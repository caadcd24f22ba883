/**
 * Monitor child processes for the multi-process tests. The fixture is bundled
 * once with esbuild (its @hb/core and redis imports stay external, resolved
 * from this package), then forked; every child exits when this process goes.
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { SECRET } from './cluster-harness.js'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = join(here, '..', '..', 'node_modules', '.cache', 'hb-redis-test')
let bundled: Promise<string> | undefined

function bundle(): Promise<string> {
  bundled ??= (async () => {
    mkdirSync(outDir, { recursive: true })
    const outfile = join(outDir, 'monitor-process.mjs')
    await build({
      entryPoints: [join(here, '..', 'fixtures', 'monitor-process.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      external: ['@hb/core', 'redis'],
      logLevel: 'silent',
    })
    return outfile
  })()
  return bundled
}

export interface MonitorChild {
  readonly name: string
  readonly port: number
  readonly process: ChildProcess
  /** Presence events this child reported. */
  readonly events: { event: string; id: string; reason?: string }[]
  /** Peers its local monitor declared offline (count per id). */
  readonly localOffline: Map<string, number>
  readonly exited: Promise<void>
  /** Resolves once its presence wrote everything it owed Redis. */
  flush(): Promise<void>
  stop(): Promise<void>
}

export async function startMonitorChild(redisUrl: string, namespace: string, name: string, timeoutMs: number, leaseMs: number): Promise<MonitorChild> {
  const file = await bundle()
  const child = fork(file, [redisUrl, namespace, name, String(timeoutMs), String(leaseMs)], {
    env: { ...process.env, HB_TEST_SECRET: SECRET },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const events: MonitorChild['events'] = []
  const localOffline = new Map<string, number>()
  const flushed: (() => void)[] = []
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    const signal = AbortSignal.timeout(15_000)
    signal.addEventListener('abort', () => reject(new Error(`${name} not ready in time`)), { once: true })
    void exited.then(() => reject(new Error(`${name} exited before ready`)))
    child.on('message', (message: { type?: string; port?: number; event?: string; id?: string; reason?: string }) => {
      if (message.type === 'ready') resolve(message.port as number)
      else if (message.type === 'event') events.push({ event: message.event as string, id: message.id as string, reason: message.reason })
      else if (message.type === 'local-offline') localOffline.set(message.id as string, (localOffline.get(message.id as string) ?? 0) + 1)
      else if (message.type === 'flushed') flushed.shift()?.()
    })
  })
  return {
    name,
    port,
    process: child,
    events,
    localOffline,
    exited,
    flush() {
      return new Promise((resolve) => {
        flushed.push(resolve)
        child.send({ type: 'flush' })
      })
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      if (child.connected) child.send({ type: 'exit' })
      else child.kill('SIGKILL')
      await exited
      clearTimeout(timer)
    },
  }
}
