/**
 * The `hb` command's help, generated from the settings table so every flag
 * is listed with its variable and default.
 */
import { envName, flagName, serveOptions } from '../config/config-options.js'

export const mainHelp = `hb: signed heartbeats and peer liveness, as a service and a command.

Usage:
  hb serve [flags]                       run a monitor with an admin API, dashboard, metrics and webhooks
  hb beat <url> --id <peer> [flags] [-- command args...]
                                         beat until Ctrl-C, or while a command runs
  hb keygen                              print a new random secret
  hb derive-key --id <peer>              print a peer's key derived from the master key (HB_MASTER_KEY)
  hb help [command]                      this text, or a command's flags

Secrets are read from environment variables or files, never from arguments.
Exit codes: 0 done, 1 failed, 2 bad input.`

/** `hb serve --help`: every flag with its environment variable and default. */
export function serveHelp(): string {
  const rows = serveOptions.map((spec) => {
    const value = spec.kind === 'boolean' ? '' : spec.kind === 'ms' ? ' <duration>' : spec.kind === 'port' ? ' <port>' : ' <value>'
    const flag = `${flagName(spec.key)}${value}`
    const extra = [spec.choices === undefined ? '' : `one of ${spec.choices.join('|')}`, spec.defaultText === undefined ? '' : `default ${spec.defaultText}`]
      .filter((part) => part !== '')
      .join('; ')
    return `  ${flag.padEnd(34)} ${spec.help}${extra === '' ? '' : ` (${extra})`} [${envName(spec.key)}]`
  })
  return `Usage: hb serve [flags]

Flags override environment variables, which override the config file, which overrides the defaults.
Durations: 500ms, 5s, 2m, or a number of milliseconds.

  --config <file>                    JSON file of settings (keys as below, camelCase: {"udp": 7946, "timeoutMs": "15s"}) [HB_CONFIG]
${rows.join('\n')}

Secrets (environment only, or the *-file flags above): HB_SECRET, HB_MASTER_KEY, HB_ADMIN_TOKEN, HB_WEBHOOK_SECRET,
and HB_REDIS_URL when the URL holds a password.
A secret is its UTF-8 text, or bytes written hex:<digits> or base64:<text>.`
}

export const beatHelp = `Usage: hb beat <url> --id <peer> [flags] [-- command args...]

Sends signed heartbeats to an hb monitor. Without a command, beats until Ctrl-C (or SIGTERM)
and says goodbye. With a command, runs it, beats while it runs, says goodbye when it exits,
and exits with its exit code.

URL schemes: udp://host:port  tcp://host:port  ws://host:port/path  wss://...  http://host:port/path  https://...

  --id <peer>              this peer's id (1 to 255 bytes of UTF-8) [HB_ID]
  --interval <duration>    time between beats (default 5s) [HB_INTERVAL]
  --secret-file <file>     file holding the secret (or env HB_SECRET)
  --no-acks                the monitor runs one-way (--no-acks): expect no acks
  --quiet                  print nothing but errors`

export const keygenHelp = `Usage: hb keygen [--bytes <n>]

Prints a new random secret (32 random bytes by default, base64url): use it as HB_SECRET,
or as HB_MASTER_KEY for per-peer keys.`

export const deriveKeyHelp = `Usage: hb derive-key --id <peer> [--master-key-file <file>]

Prints the key of one peer, derived from the master key (env HB_MASTER_KEY or the file),
as hex:<64 digits>. Give it to that peer as its HB_SECRET; run the monitor with the master key.`
