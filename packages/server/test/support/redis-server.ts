/**
 * A throwaway redis-server for the shared-presence tests: 127.0.0.1, a port
 * the OS picked, nothing persisted; `stop()` kills it and waits for the exit.
 * `redisMissing` says why the suite cannot run (undefined when it can).
 */
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'

const binary = process.env.HB_REDIS_SERVER ?? 'redis-server'
const version = spawnSync(binary, ['--version'], { encoding: 'utf8' })
export const redisMissing = version.status === 0 ? undefined : `${binary} not found (install Debian's redis-server, or set HB_REDIS_SERVER)`

export interface TestRedis {
  readonly url: string
  stop(): Promise<void>
}

async function pickPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

export async function startTestRedis(): Promise<TestRedis> {
  const port = await pickPort()
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(child, 'exit')
  let log = ''
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString()
      if (log.includes('Ready to accept connections')) resolve()
    })
    void exited.then(() => reject(new Error(`redis-server exited on port ${port}: ${log}`)))
  })
  try {
    await Promise.race([ready, once(AbortSignal.timeout(10_000), 'abort').then(() => Promise.reject(new Error('redis-server not ready in 10 s')))])
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  child.stdout.resume()
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await exited
      }
    },
  }
}
