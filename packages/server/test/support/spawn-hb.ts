/**
 * Runs the built `hb` bin (dist/cli.js) as a child process, collects its
 * output, and waits on it with deadlines. Every child started here is killed
 * by `killAll()` (call it in afterEach) if it is still running.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createWaiter } from '@hb/core/testing'

export const HB_BIN = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

export interface HbProcess {
  readonly child: ChildProcess
  readonly stdout: string[]
  readonly stderr: string[]
  /** Resolves with the exit code (or 128 + signal) once it exits; rejects after `ms`. */
  exit(ms?: number): Promise<number>
  /** Resolves with the first stdout line that is JSON and satisfies `match` (a log line). */
  logLine(match: (line: Record<string, unknown>) => boolean, what: string, ms?: number): Promise<Record<string, unknown>>
}

const running = new Set<ChildProcess>()

/** Kills every child still running (SIGKILL) and waits for them to be gone. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
  running.clear()
}

export function spawnHb(args: readonly string[], env: Record<string, string> = {}): HbProcess {
  // Only what the test gives, plus PATH: no HB_* from the developer's shell leaks in.
  const child = spawn(process.execPath, [HB_BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  const stdout: string[] = []
  const stderr: string[] = []
  const waiter = createWaiter()
  const collect = (into: string[]) => {
    let partial = ''
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop()!
      into.push(...lines)
      waiter.notify()
    }
  }
  child.stdout!.on('data', collect(stdout))
  child.stderr!.on('data', collect(stderr))
  let code: number | undefined
  child.once('exit', (exitCode, signal) => {
    code = exitCode ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 2)
    running.delete(child)
    waiter.notify()
  })
  const parse = (line: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(line) as Record<string, unknown>
    } catch {
      return undefined
    }
  }
  return {
    child,
    stdout,
    stderr,
    async exit(ms = 10_000) {
      await waiter.until(() => code !== undefined, `hb ${args[0]} to exit (stderr: ${stderr.join(' | ')})`, ms)
      return code!
    },
    async logLine(match, what, ms = 10_000) {
      let found: Record<string, unknown> | undefined
      await waiter.until(
        () => {
          found = stdout.map(parse).find((line) => line !== undefined && match(line))
          return found !== undefined || code !== undefined
        },
        what,
        ms,
      )
      if (found === undefined) throw new Error(`hb exited (${code}) before ${what}; stderr: ${stderr.join(' | ')}; stdout: ${stdout.join(' | ')}`)
      return found
    },
  }
}
