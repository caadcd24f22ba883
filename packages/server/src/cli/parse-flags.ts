/**
 * A small command-line parser with the errors a user can act on: `--name
 * value`, `--name=value`, boolean `--name` / `--no-name`, repeatable flags, and
 * everything after `--` kept apart (the command `hb beat` wraps). An unknown
 * flag or a missing value is one line naming it.
 */
import { configError } from '../config/config-error.js'

/** One flag a command accepts. */
export interface FlagSpec {
  /** Without dashes: `udp`, `timeout-ms`. */
  readonly name: string
  /** `value` takes an argument; `boolean` takes none (`--no-name` sets false). */
  readonly type: 'value' | 'boolean'
  /** A value flag given several times keeps every value (otherwise the last wins). */
  readonly multiple?: boolean
}

/** What the parser found. */
export interface ParsedFlags {
  /** Flag name → its values in order (booleans as `'true'`/`'false'`). */
  readonly values: Map<string, string[]>
  readonly positionals: string[]
  /** The arguments after `--`, if `--` was given. */
  readonly rest: string[] | undefined
}

/**
 * Parses `argv` against `specs`.
 * @throws HeartbeatError `HB_ERR_CONFIG`: `unknown flag --udpp`, `--udp needs a value`, ….
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]))
  const values = new Map<string, string[]>()
  const positionals: string[] = []
  let rest: string[] | undefined
  const put = (spec: FlagSpec, value: string) => {
    const list = values.get(spec.name)
    if (list === undefined || spec.multiple !== true) values.set(spec.name, [value])
    else list.push(value)
  }
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!
    if (argument === '--') {
      rest = argv.slice(index + 1)
      break
    }
    if (!argument.startsWith('--') || argument === '-') {
      if (argument.startsWith('-') && argument !== '-') throw configError(`unknown flag ${argument} (flags are written --name)`)
      positionals.push(argument)
      continue
    }
    const equals = argument.indexOf('=')
    const name = argument.slice(2, equals === -1 ? undefined : equals)
    const inline = equals === -1 ? undefined : argument.slice(equals + 1)
    const spec = byName.get(name)
    const negated = spec === undefined && name.startsWith('no-') ? byName.get(name.slice(3)) : undefined
    if (negated !== undefined && negated.type === 'boolean' && inline === undefined) {
      put(negated, 'false')
      continue
    }
    if (spec === undefined) throw configError(`unknown flag --${name}`)
    if (spec.type === 'boolean') {
      put(spec, inline ?? 'true')
      continue
    }
    if (inline !== undefined) {
      put(spec, inline)
      continue
    }
    const next = argv[index + 1]
    if (next === undefined || (next.startsWith('--') && next.length > 2)) throw configError(`--${name} needs a value`)
    put(spec, next)
    index++
  }
  return { values, positionals, rest }
}
