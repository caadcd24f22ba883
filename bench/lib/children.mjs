/**
 * Child processes of a scenario (receivers and load generators), driven over
 * the IPC channel with a tiny request/reply protocol.
 *
 * Every child is bounded three times over: it exits by itself after its own
 * hard limit (`BENCH_CHILD_LIMIT_MS`) and when its parent disconnects, and the
 * parent SIGKILLs it when that limit passes or when the parent exits. So a
 * crashed or stuck scenario never leaves load running on the machine.
 */
import { fork } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const live = new Set()

process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * Starts `processes/<name>.mjs` and resolves once it said it is ready, with
 * the child's handle: `info` (what it sent with ready), `call(command, payload)`,
 * `signal(name)`, `stop()` and `pid`.
 *
 * `profile: 'label'` runs it under `--cpu-prof` (written on a clean `stop()`).
 */
export async function startChild(name, options = {}) {
  const { args = [], limitMs = 120_000, readyTimeoutMs = 30_000, profile, execArgv = [] } = options
  const flags = [...execArgv]
  if (profile !== undefined) {
    const dir = join(benchDir, 'results', 'profiles')
    mkdirSync(dir, { recursive: true })
    flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${profile}-${Date.now()}.cpuprofile`)
  }
  const child = fork(join(benchDir, 'processes', `${name}.mjs`), args.map(String), {
    execArgv: flags,
    env: { ...process.env, BENCH_CHILD_LIMIT_MS: String(limitMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  live.add(child)
  const pending = new Map()
  let nextId = 1
  let exitInfo
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs + 5_000)
  killer.unref()
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal }
      clearTimeout(killer)
      live.delete(child)
      for (const { reject } of pending.values()) reject(new Error(`${name} exited (code ${code}, signal ${signal}) during a call`))
      pending.clear()
      resolve(exitInfo)
    })
  })

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready within ${readyTimeoutMs} ms`)), readyTimeoutMs)
    child.on('message', (message) => {
      if (message?.type === 'ready') {
        clearTimeout(timer)
        resolve(message.info ?? {})
      } else if (message?.type === 'reply') {
        const waiter = pending.get(message.id)
        if (waiter === undefined) return
        pending.delete(message.id)
        if (message.ok) waiter.resolve(message.value)
        else waiter.reject(new Error(`${name}.${waiter.command}: ${message.error}`))
      }
    })
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited before ready (code ${code}, signal ${signal})`))
    })
  })

  let info
  try {
    info = await ready
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }

  return {
    name,
    pid: child.pid,
    info,
    exited,
    /** Sends a command; resolves with the child's answer. */
    call(command, payload = {}, timeoutMs = limitMs) {
      if (exitInfo !== undefined) return Promise.reject(new Error(`${name} has exited`))
      const id = nextId++
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`${name}.${command} timed out after ${timeoutMs} ms`))
        }, timeoutMs)
        const settle = (fn) => (value) => {
          clearTimeout(timer)
          fn(value)
        }
        pending.set(id, { command, resolve: settle(resolve), reject: settle(reject) })
        child.send({ type: 'call', id, command, payload })
      })
    },
    /** Sends a POSIX signal to this child only (by its pid). */
    signal(signalName) {
      if (exitInfo === undefined) child.kill(signalName)
    },
    /** Asks for a clean exit (so a CPU profile gets written), then SIGKILLs after `graceMs`. */
    async stop(graceMs = 5_000) {
      if (exitInfo !== undefined) return exitInfo
      if (child.connected) child.send({ type: 'exit' })
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const result = await exited
      clearTimeout(timer)
      return result
    },
  }
}

/** Stops every child given, in parallel, ignoring the ones already gone. */
export function stopAll(children) {
  return Promise.all(children.filter((c) => c !== undefined).map((c) => c.stop()))
}
