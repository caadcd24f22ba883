/**
 * Secrets come from the environment or from a file, never from a command-line
 * argument (which `ps` shows to every user of the machine). A secret's text
 * is its UTF-8 bytes, unless it is written `hex:…` or `base64:…` (how
 * `hb derive-key` prints a derived key, which is 32 raw bytes).
 */
import { readFileSync } from 'node:fs'
import type { KeyInput } from '@hb/core'
import { configError } from './config-error.js'

/**
 * The key a secret's text stands for: `hex:<even hex digits>` and
 * `base64:<base64 or base64url>` are decoded to bytes; anything else is used as
 * it is (its UTF-8 bytes). Surrounding whitespace (a file's final newline) is
 * dropped.
 * @param label names the secret in errors; the text itself is never shown.
 */
export function parseKeyText(text: string, label: string): KeyInput {
  const trimmed = text.trim()
  if (trimmed === '') throw configError(`${label} is empty`)
  if (trimmed.startsWith('hex:')) {
    const hex = trimmed.slice(4)
    if (hex === '' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) throw configError(`${label}: "hex:" must be followed by an even number of hex digits`)
    return new Uint8Array(Buffer.from(hex, 'hex'))
  }
  if (trimmed.startsWith('base64:')) {
    const encoded = trimmed.slice(7)
    if (encoded === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw configError(`${label}: "base64:" must be followed by base64 text`)
    return new Uint8Array(Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64'))
  }
  return trimmed
}

/** Where a secret may come from: an environment variable and a file setting. */
export interface SecretSource {
  /** Environment variable holding the value, e.g. `HB_SECRET`. */
  readonly envName: string
  /** A file path (from `--secret-file`, `HB_SECRET_FILE` or the config file), if one was given. */
  readonly file: string | undefined
  /** The flag naming the file, for messages. */
  readonly fileFlag: string
}

/**
 * Reads one secret's text: the file if one was given, else the variable, else
 * undefined. Both at once is an error (which one would win is a guess).
 * @throws HeartbeatError `HB_ERR_CONFIG` naming the file or variable, never the value.
 */
export function readSecretText(source: SecretSource, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[source.envName]
  if (source.file !== undefined && fromEnv !== undefined && fromEnv !== '') {
    throw configError(`${source.envName} and ${source.fileFlag} are both set: use one`)
  }
  if (source.file === undefined) return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv
  try {
    return readFileSync(source.file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw configError(`${source.fileFlag} ${source.file}: cannot read it (${code})`)
  }
}
