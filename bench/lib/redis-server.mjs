/**
 * A private redis-server for a benchmark: a free port on 127.0.0.1, no
 * persistence, killed when the scenario ends (it is registered with
 * `ctx.own`-like cleanup by the caller through `stop()`).
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

export async function startRedisServer(path = process.env.HB_REDIS_SERVER ?? 'redis-server') {
  const port = await freePort()
  const child = spawn(path, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  process.on('exit', () => child.kill('SIGKILL'))
  await new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`redis-server not ready: ${output}`)), 10_000)
    child.once('error', reject)
    child.stdout.on('data', (chunk) => {
      output += chunk
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout.removeAllListeners('data')
        child.stdout.resume()
        resolve()
      }
    })
  })
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** For the naive design's offline events. */
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', resolve)
      child.kill('SIGKILL')
    }),
  }
}

/** INFO fields as numbers. */
export async function info(client, section) {
  const text = String(await client.sendCommand(['INFO', section]))
  const fields = {}
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':')
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1)
  }
  return fields
}
