/**
 * A private redis-server for tests: a free port on 127.0.0.1, no persistence
 * (`--save '' --appendonly no`), stopped (and its process reaped) by `stop()`.
 * `restart()` brings it back empty on the same port, as a crashed Redis without
 * persistence comes back.
 *
 * Where redis-server is missing the suites skip with a message, unless
 * HB_REQUIRE_REDIS=1 (CI), where they fail. HB_REDIS_SERVER names the binary.
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

export const redisServerPath = process.env.HB_REDIS_SERVER ?? 'redis-server'

function probe(): boolean {
  const result = spawnSync(redisServerPath, ['--version'], { encoding: 'utf8' })
  return result.status === 0 && /Redis server/.test(result.stdout)
}

export const redisAvailable = probe()
if (!redisAvailable) {
  const message = `redis-server not found (${redisServerPath}); set HB_REDIS_SERVER or install Debian's redis-server`
  if (process.env.HB_REQUIRE_REDIS === '1') throw new Error(`${message} (HB_REQUIRE_REDIS=1)`)
  console.warn(`@hb/redis tests SKIPPED: ${message}`)
}

export interface RedisServer {
  readonly port: number
  readonly url: string
  stop(): Promise<void>
  /** Stops it and starts it again, empty, on the same port. */
  restart(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(redisServerPath, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => fail(new Error(`redis-server did not become ready on ${port}: ${output}`)), 10_000)
    const fail = (error: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout?.removeAllListeners('data')
        child.stdout?.resume()
        resolve(child)
      }
    })
    child.stderr?.resume()
    child.once('exit', (code) => fail(new Error(`redis-server exited (${code}): ${output}`)))
  })
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

export async function startRedisServer(): Promise<RedisServer> {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    try {
      let child = await launch(port)
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () => kill(child),
        async restart() {
          await kill(child)
          child = await launch(port)
        },
      }
    } catch (error) {
      lastError = error // the port was taken in between: try another
    }
  }
  throw lastError
}
