/**
 * `hb beat <url> --id <peer> [--interval 5s] [-- command args…]`.
 *
 * Without a command it beats until SIGINT or SIGTERM, then sends `bye` (the
 * monitor reports `offline`, reason `left`, at once) and exits 0. With a
 * command it runs it with the terminal's stdio, beats while it runs, sends
 * `bye` when it exits and exits with its code (128 + the signal number if a
 * signal ended it; 127 if it could not be started). SIGINT and SIGTERM are
 * passed on to the command, which decides when it ends.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { createBeater, systemClock } from '@hb/core'
import type { Beater, StopFunction } from '@hb/core'
import { createClientTransport } from '../client/create-client-transport.js'
import { configError } from '../config/config-error.js'
import { parseDurationMs } from '../config/parse-value.js'
import { parseKeyText, readSecretText } from '../config/secrets.js'
import { beatHelp } from './help-text.js'
import { parseFlags } from './parse-flags.js'

export interface BeatIo {
  readonly env: NodeJS.ProcessEnv
  readonly stdout: (line: string) => void
  /** Status lines (stderr). */
  readonly stderr: (line: string) => void
}

const beatFlags = [
  { name: 'id', type: 'value' },
  { name: 'interval', type: 'value' },
  { name: 'secret-file', type: 'value' },
  { name: 'acks', type: 'boolean' },
  { name: 'quiet', type: 'boolean' },
  { name: 'help', type: 'boolean' },
] as const

/** Status lines, with repeats of the same error folded so a dead server does not flood the terminal. */
function reportTo(beater: Beater, io: BeatIo, quiet: boolean): void {
  let lastError = ''
  const say = (line: string) => {
    if (!quiet) io.stderr(`hb beat: ${line}`)
  }
  beater.on('connect', () => say('connected'))
  beater.on('server-lost', ({ missedAcks }) => io.stderr(`hb beat: no ack for ${missedAcks} beats: the monitor is unreachable or rejects this peer's key`))
  beater.on('server-back', ({ rttMs }) => say(`monitor answering again (rtt ${rttMs.toFixed(1)} ms)`))
  beater.on('error', (error) => {
    if (error.message === lastError) return
    lastError = error.message
    io.stderr(`hb beat: ${error.message}`)
  })
}

/** Stops the beater with `bye`, but waits at most `deadlineMs` for it (an unreachable monitor must not hold the exit). */
async function stopWithin(stop: StopFunction, deadlineMs: number): Promise<void> {
  let timer: unknown
  await Promise.race([stop(), new Promise<void>((resolve) => (timer = systemClock.setTimeout(resolve, deadlineMs)))])
  systemClock.clearTimeout(timer)
}

/** Runs `hb beat`; resolves with the process's exit code. */
export async function beatCommand(argv: readonly string[], io: BeatIo): Promise<number> {
  const { values, positionals, rest } = parseFlags(argv, beatFlags)
  if (values.get('help')?.[0] === 'true') {
    io.stdout(beatHelp)
    return 0
  }
  if (positionals.length !== 1) throw configError(positionals.length === 0 ? 'hb beat needs the monitor URL, e.g. hb beat udp://127.0.0.1:7946 --id worker-1' : `hb beat takes one URL, got also ${JSON.stringify(positionals[1])} (put a command after --)`)
  const id = values.get('id')?.at(-1) ?? io.env.HB_ID
  if (id === undefined || id === '') throw configError('--id is required (or HB_ID): the name this peer is tracked by')
  const intervalText = values.get('interval')?.at(-1) ?? io.env.HB_INTERVAL ?? '5s'
  const intervalMs = parseDurationMs(intervalText)
  if (intervalMs === undefined || intervalMs < 10) throw configError(`--interval: expected a duration of at least 10ms such as 5s, got ${JSON.stringify(intervalText)}`)
  const file = values.get('secret-file')?.at(-1)
  const text = readSecretText({ envName: 'HB_SECRET', file, fileFlag: '--secret-file' }, io.env)
  if (text === undefined) throw configError('no secret: set HB_SECRET or --secret-file')
  const secret = parseKeyText(text, file === undefined ? 'HB_SECRET' : `--secret-file ${file}`)
  const command = rest
  if (command !== undefined && command.length === 0) throw configError('nothing after --: give the command to run')
  const url = positionals[0]!
  const expectAcks = values.get('acks')?.at(-1) !== 'false'
  const quiet = values.get('quiet')?.at(-1) === 'true'

  const beater = createBeater({ id, secret, intervalMs, expectAcks, transport: createClientTransport(url) })
  reportTo(beater, io, quiet)
  const stop = beater.start()
  if (!quiet) io.stderr(`hb beat: beating ${new URL(url).protocol}// as ${JSON.stringify(id)} every ${intervalMs} ms`)

  if (command === undefined) {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await stopWithin(stop, 3000)
    return 0
  }

  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit' })
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  const code = await new Promise<number>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      io.stderr(`hb beat: cannot run ${JSON.stringify(command[0])}: ${error.code ?? error.message}`)
      resolve(127)
    })
    child.once('exit', (exitCode, signal) => {
      resolve(exitCode ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)))
    })
  })
  process.off('SIGINT', forward)
  process.off('SIGTERM', forward)
  await stopWithin(stop, 3000)
  return code
}
