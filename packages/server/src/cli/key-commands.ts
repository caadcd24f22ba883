/**
 * `hb keygen` and `hb derive-key`: key material for provisioning. Output goes
 * to standard output and nowhere else (no log line carries it).
 */
import { deriveKey } from '@hb/core'
import { configError } from '../config/config-error.js'
import { parseKeyText, readSecretText } from '../config/secrets.js'
import { parseFlags } from './parse-flags.js'
import { deriveKeyHelp, keygenHelp } from './help-text.js'

/** What a command prints and returns. */
export interface CommandIo {
  readonly env: NodeJS.ProcessEnv
  readonly stdout: (line: string) => void
}

/** `hb keygen [--bytes n]`: random bytes, base64url (usable as is: a secret's text is its UTF-8 bytes). */
export function keygenCommand(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseFlags(argv, [
    { name: 'bytes', type: 'value' },
    { name: 'help', type: 'boolean' },
  ])
  if (values.get('help')?.[0] === 'true') {
    io.stdout(keygenHelp)
    return 0
  }
  if (positionals.length > 0) throw configError(`hb keygen takes no arguments, got ${JSON.stringify(positionals[0])}`)
  const text = values.get('bytes')?.at(-1) ?? '32'
  const count = Number(text)
  if (!/^\d+$/.test(text) || count < 16 || count > 1024) throw configError(`--bytes: expected an integer from 16 to 1024, got ${JSON.stringify(text)}`)
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(count))
  io.stdout(Buffer.from(bytes).toString('base64url'))
  return 0
}

/** `hb derive-key --id <peer>`: `hex:` + the peer's derived key. */
export function deriveKeyCommand(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseFlags(argv, [
    { name: 'id', type: 'value' },
    { name: 'master-key-file', type: 'value' },
    { name: 'help', type: 'boolean' },
  ])
  if (values.get('help')?.[0] === 'true') {
    io.stdout(deriveKeyHelp)
    return 0
  }
  if (positionals.length > 0) throw configError(`hb derive-key takes no arguments, got ${JSON.stringify(positionals[0])} (use --id)`)
  const id = values.get('id')?.at(-1)
  if (id === undefined || id === '') throw configError('--id is required: the peer whose key to derive')
  const file = values.get('master-key-file')?.at(-1)
  const text = readSecretText({ envName: 'HB_MASTER_KEY', file, fileFlag: '--master-key-file' }, io.env)
  if (text === undefined) throw configError('no master key: set HB_MASTER_KEY or --master-key-file')
  const master = parseKeyText(text, file === undefined ? 'HB_MASTER_KEY' : `--master-key-file ${file}`)
  io.stdout(`hex:${Buffer.from(deriveKey(master, id)).toString('hex')}`)
  return 0
}
