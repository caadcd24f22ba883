/**
 * `hb serve`'s configuration from its three sources, in order of precedence:
 * flags, then environment variables (`HB_UDP`, `HB_TIMEOUT_MS`, …), then the
 * config file (`--config hb.json` or `HB_CONFIG`), then the defaults. Secrets
 * are read here from their variables or files and never from a flag.
 */
import { readFileSync } from 'node:fs'
import type { KeyInput } from '@hb/core'
import { configError } from '../config/config-error.js'
import { envName, flagName, serveOptions } from '../config/config-options.js'
import { parseOptionValue, redisUrlHasPassword } from '../config/parse-value.js'
import { parseKeyText, readSecretText } from '../config/secrets.js'
import type { HbServerConfig } from '../config/server-config.js'
import { parseFlags } from './parse-flags.js'
import type { FlagSpec } from './parse-flags.js'

/** The flags of `hb serve`: one per setting, plus `--config` and `--help`. */
export const serveFlags: readonly FlagSpec[] = [
  ...serveOptions.map((spec): FlagSpec => ({
    name: flagName(spec.key).slice(2),
    type: spec.kind === 'boolean' ? 'boolean' : 'value',
    multiple: spec.kind === 'url-list',
  })),
  { name: 'config', type: 'value' },
  { name: 'help', type: 'boolean' },
]

const secretSettings = [
  { key: 'secret', fileKey: 'secretFile' },
  { key: 'masterKey', fileKey: 'masterKeyFile' },
  { key: 'adminToken', fileKey: 'adminTokenFile' },
  { key: 'webhookSecret', fileKey: 'webhookSecretFile' },
] as const

/** Keys someone might put in a config file by mistake, with where they belong. */
const secretInFile = new Set(['secret', 'masterKey', 'adminToken', 'webhookSecret'])

function readConfigFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw configError(`config file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw configError(`config file ${path}: not valid JSON (${(error as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw configError(`config file ${path}: must hold a JSON object`)
  const known = new Set(serveOptions.map((spec) => spec.key))
  for (const key of Object.keys(parsed)) {
    if (secretInFile.has(key)) throw configError(`config file ${path}: "${key}" is a secret: put it in its environment variable or a ${key}File`)
    if (!known.has(key)) throw configError(`config file ${path}: unknown setting "${key}"`)
  }
  return parsed as Record<string, unknown>
}

/**
 * A Redis URL with a password is a secret: from `HB_REDIS_URL` or `--redis-url-file` only,
 * never a flag (`ps` shows it) or the config file. Without one it may come from anywhere.
 */
function readRedisUrl(settings: Record<string, unknown>, origins: ReadonlyMap<string, string>): void {
  const origin = origins.get('redisUrl')
  const url = settings.redisUrl
  if (typeof url === 'string' && origin !== envName('redisUrl') && redisUrlHasPassword(url)) {
    throw configError(`${origin ?? 'redisUrl'}: this Redis URL holds a password: put it in HB_REDIS_URL or a file named by --redis-url-file`)
  }
  const path = settings.redisUrlFile as string | undefined
  if (path === undefined) return
  if (url !== undefined) throw configError(`${origin ?? 'redisUrl'} and --redis-url-file are both set: use one`)
  const text = readSecretText({ envName: envName('redisUrl'), file: path, fileFlag: '--redis-url-file' }, {}) ?? ''
  const spec = serveOptions.find((option) => option.key === 'redisUrl')!
  settings.redisUrl = parseOptionValue(spec, text.trim(), `--redis-url-file ${path}`)
}

/** The result: the config for `createHbServer`, and whether `--help` was asked. */
export interface ServeInvocation {
  readonly config: HbServerConfig
  readonly help: boolean
}

/**
 * Builds the config from `argv` (the arguments after `serve`) and `env`.
 * @throws HeartbeatError `HB_ERR_CONFIG` naming the flag, variable, or file and key at fault.
 */
export function loadServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServeInvocation {
  const { values, positionals, rest } = parseFlags(argv, serveFlags)
  if (values.get('help')?.[0] === 'true') return { config: {}, help: true }
  if (positionals.length > 0 || rest !== undefined) throw configError(`hb serve takes no arguments, got ${JSON.stringify(positionals[0] ?? '--')}`)
  const configPath = values.get('config')?.at(-1) ?? (env.HB_CONFIG === '' ? undefined : env.HB_CONFIG)
  const file = configPath === undefined ? {} : readConfigFile(configPath)

  const settings: Record<string, unknown> = {}
  const origins = new Map<string, string>()
  for (const spec of serveOptions) {
    const flag = flagName(spec.key)
    const fromFlag = values.get(flag.slice(2))
    const variable = envName(spec.key)
    const fromEnv = env[variable]
    if (fromFlag !== undefined) {
      settings[spec.key] = parseOptionValue(spec, spec.kind === 'url-list' ? fromFlag : fromFlag.at(-1), flag)
      origins.set(spec.key, flag)
    } else if (fromEnv !== undefined && fromEnv !== '') {
      settings[spec.key] = parseOptionValue(spec, fromEnv, variable)
      origins.set(spec.key, variable)
    } else if (file[spec.key] !== undefined) {
      settings[spec.key] = parseOptionValue(spec, file[spec.key], `config file ${configPath}: ${spec.key}`)
      origins.set(spec.key, `config file ${configPath}: ${spec.key}`)
    }
  }
  readRedisUrl(settings, origins)

  const config: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(settings)) {
    if (key !== 'redisUrlFile' && !secretSettings.some((secret) => secret.fileKey === key)) config[key] = value
  }
  for (const { key, fileKey } of secretSettings) {
    const variable = envName(key)
    const text = readSecretText({ envName: variable, file: settings[fileKey] as string | undefined, fileFlag: flagName(fileKey) }, env)
    if (text === undefined) continue
    const label = settings[fileKey] === undefined ? variable : `${flagName(fileKey)} ${String(settings[fileKey])}`
    const parsed: KeyInput = key === 'adminToken' ? text.trim() : parseKeyText(text, label)
    if (parsed === '') throw configError(`${label} is empty`)
    config[key] = parsed
  }
  return { config: config as HbServerConfig, help: false }
}
