/**
 * A private redis-server: 127.0.0.1, a free port, nothing persisted
 * (`--save '' --appendonly no`), killed by `stop()`, which waits for its exit.
 * `restart()` brings it back empty on the same port, as a crashed Redis
 * without persistence comes back. With `cluster: true` it is a cluster node
 * (its bus on its port + 10 000, its nodes.conf in a temporary folder that
 * `stop()` removes); `startRedisCluster` makes a cluster of them.
 *
 * Every server still running when the process exits is killed with it.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { redisServerPath } from './availability.js'
import { freePort, freePortWithSibling } from './free-port.js'

/** Where a cluster node's bus listens, past its port (Redis's default; `cluster-port` is Redis 7 only). */
const BUS_OFFSET = 10_000

/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

const READY = 'Ready to accept connections'

/**
 * Spawns redis-server with `args`; resolves once it accepts connections.
 * @param {string[]} args
 * @param {number} readyTimeoutMs
 * @returns {Promise<import('node:child_process').ChildProcess>}
 */
function launch(args, readyTimeoutMs) {
  const child = spawn(redisServerPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  child.once('exit', () => live.delete(child))
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (/** @type {Buffer} */ chunk) => {
      output += chunk.toString()
      if (output.includes(READY)) {
        done()
        resolve(child)
      }
    }
    const fail = (/** @type {Error} */ error) => {
      done()
      child.kill('SIGKILL')
      reject(error)
    }
    const onExit = (/** @type {number | null} */ code, /** @type {string | null} */ signal) =>
      fail(new Error(`redis-server exited (${code ?? signal}) before it was ready: ${output.trim()}`))
    const timer = setTimeout(() => fail(new Error(`redis-server not ready in ${readyTimeoutMs} ms: ${output.trim()}`)), readyTimeoutMs)
    function done() {
      clearTimeout(timer)
      child.off('exit', onExit)
      child.off('error', fail)
      child.stdout?.off('data', onData)
      child.stderr?.off('data', onData)
      // Keep draining its output so it never blocks on a full pipe.
      child.stdout?.resume()
      child.stderr?.resume()
    }
    child.once('error', fail)
    child.once('exit', onExit)
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
  })
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

/**
 * @param {{ cluster?: boolean, args?: string[], readyTimeoutMs?: number }} [options]
 * @returns {Promise<import('./index.js').RedisServer>}
 */
export async function startRedisServer(options = {}) {
  const { cluster = false, args = [], readyTimeoutMs = 10_000 } = options
  let lastError
  for (let attempt = 0; attempt < 3; attempt++) {
    // Chosen free, but another process may bind it before redis-server does: then try others.
    const port = cluster ? await freePortWithSibling(BUS_OFFSET) : await freePort()
    const busPort = cluster ? port + BUS_OFFSET : undefined
    const dir = cluster ? mkdtempSync(join(tmpdir(), 'hb-redis-node-')) : undefined
    const argv = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args]
    if (dir !== undefined) {
      argv.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir)
    }
    const removeDir = () => dir !== undefined && rmSync(dir, { recursive: true, force: true })
    try {
      let child = await launch(argv, readyTimeoutMs)
      return {
        port,
        busPort,
        url: `redis://127.0.0.1:${port}`,
        get pid() {
          return child.pid ?? -1
        },
        async stop() {
          await kill(child)
          removeDir()
        },
        async restart() {
          await kill(child)
          child = await launch(argv, readyTimeoutMs)
        },
      }
    } catch (error) {
      removeDir()
      lastError = error
    }
  }
  throw lastError
}
