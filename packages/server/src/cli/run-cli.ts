/**
 * The `hb` command: picks the subcommand, and turns bad input into one line
 * on stderr and exit code 2 (a failure at run time is exit code 1). No stack
 * trace is printed for either; `HB_DEBUG=1` adds the stack of an unexpected error.
 */
import { isConfigError } from '../config/config-error.js'
import { beatCommand } from './beat-command.js'
import { mainHelp } from './help-text.js'
import { deriveKeyCommand, keygenCommand } from './key-commands.js'
import { serveCommand } from './serve-command.js'

export interface CliIo {
  readonly env: NodeJS.ProcessEnv
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve':
      return serveCommand(rest, io)
    case 'beat':
      return beatCommand(rest, io)
    case 'keygen':
      return keygenCommand(rest, io)
    case 'derive-key':
      return deriveKeyCommand(rest, io)
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      if (rest[0] !== undefined && ['serve', 'beat', 'keygen', 'derive-key'].includes(rest[0])) return dispatch([rest[0], '--help'], io)
      io.stdout(mainHelp)
      return command === undefined ? 2 : 0
    default:
      io.stderr(`hb: unknown command ${JSON.stringify(command)} (commands: serve, beat, keygen, derive-key, help)`)
      return 2
  }
}

/** Runs the command line `argv` (without `node` and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io)
  } catch (error) {
    if (isConfigError(error)) {
      io.stderr(`hb ${argv[0] ?? ''}: ${(error as Error).message}`)
      return 2
    }
    io.stderr(`hb ${argv[0] ?? ''}: ${(error as Error).message ?? String(error)}`)
    if (io.env.HB_DEBUG === '1') io.stderr(String((error as Error).stack))
    return 1
  }
}
