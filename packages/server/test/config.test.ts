import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadServeConfig } from '../src/cli/load-serve-config.js'
import { parseFlags } from '../src/cli/parse-flags.js'
import { envName, flagName, serveOptions } from '../src/config/config-options.js'
import { parseDurationMs } from '../src/config/parse-value.js'
import { parseKeyText } from '../src/config/secrets.js'
import { resolveServerConfig } from '../src/config/server-config.js'

const directory = mkdtempSync(join(tmpdir(), 'hb-config-'))
function file(name: string, text: string): string {
  const path = join(directory, name)
  writeFileSync(path, text)
  return path
}
const env = { HB_SECRET: 's3cret' }

describe('durations', () => {
  it.each([
    ['1500', 1500],
    ['1500ms', 1500],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [250, 250],
  ])('%s is %d ms', (input, ms) => expect(parseDurationMs(input)).toBe(ms))
  it.each(['', 'soon', '-5s', '0', '5 days', '1e3', Number.NaN, Infinity, 0, -1])('%s is not a duration', (input) => {
    expect(parseDurationMs(input)).toBeUndefined()
  })
})

describe('secrets', () => {
  it('reads text as its UTF-8 bytes, hex: and base64: as bytes, without the final newline', () => {
    expect(parseKeyText('my-secret\n', 'HB_SECRET')).toBe('my-secret')
    expect(parseKeyText('hex:00ff10', 'HB_SECRET')).toEqual(new Uint8Array([0, 255, 16]))
    expect(parseKeyText('base64:AP8Q', 'HB_SECRET')).toEqual(new Uint8Array([0, 255, 16]))
    expect(parseKeyText('base64:AP8Q_w', 'HB_SECRET')).toEqual(new Uint8Array([0, 255, 16, 255]))
  })
  it('names the secret, never its value, when it is malformed', () => {
    expect(() => parseKeyText('hex:abc', 'HB_SECRET')).toThrow('HB_SECRET: "hex:" must be followed by an even number of hex digits')
    expect(() => parseKeyText(' \n', '--secret-file /x')).toThrow('--secret-file /x is empty')
  })
})

describe('flags', () => {
  const specs = [
    { name: 'udp', type: 'value' },
    { name: 'acks', type: 'boolean' },
    { name: 'webhooks', type: 'value', multiple: true },
  ] as const
  it('reads --name value, --name=value, --no-name, repeats, and keeps what follows --', () => {
    const parsed = parseFlags(['--udp', '1', '--udp=2', '--no-acks', '--webhooks', 'a', '--webhooks', 'b', 'x', '--', '--udp', '3'], specs)
    expect(parsed.values.get('udp')).toEqual(['2'])
    expect(parsed.values.get('acks')).toEqual(['false'])
    expect(parsed.values.get('webhooks')).toEqual(['a', 'b'])
    expect(parsed.positionals).toEqual(['x'])
    expect(parsed.rest).toEqual(['--udp', '3'])
  })
  it('refuses unknown flags and missing values in one line', () => {
    expect(() => parseFlags(['--udpp', '1'], specs)).toThrow('unknown flag --udpp')
    expect(() => parseFlags(['-u'], specs)).toThrow('unknown flag -u')
    expect(() => parseFlags(['--udp'], specs)).toThrow('--udp needs a value')
    expect(() => parseFlags(['--udp', '--acks'], specs)).toThrow('--udp needs a value')
  })
  it('has a flag and a variable for every setting, with no two alike', () => {
    expect(flagName('timeoutMs')).toBe('--timeout-ms')
    expect(envName('webhookMaxQueue')).toBe('HB_WEBHOOK_MAX_QUEUE')
    expect(new Set(serveOptions.map((spec) => flagName(spec.key))).size).toBe(serveOptions.length)
  })
})

describe('hb serve configuration', () => {
  it('takes flags over the environment over the file over the defaults', () => {
    const config = file('layers.json', JSON.stringify({ udp: 1001, tcp: 1002, ws: 1003, timeoutMs: '20s' }))
    const { config: result } = loadServeConfig(['--config', config, '--udp', '2001'], { ...env, HB_UDP: '3001', HB_TCP: '3002' })
    expect(result).toMatchObject({ udp: 2001, tcp: 3002, ws: 1003, timeoutMs: 20_000, secret: 's3cret' })
    const resolved = resolveServerConfig(result)
    expect(resolved).toMatchObject({ adminHost: '127.0.0.1', adminPort: 7940, host: '0.0.0.0', webhookEvents: ['online', 'offline'] })
  })

  it('reads secrets from files and variables, never from a flag', () => {
    const secretFile = file('secret', 'from-file\n')
    const tokenFile = file('token', 'tok\n')
    const { config } = loadServeConfig(['--udp', '0', '--secret-file', secretFile, '--admin-token-file', tokenFile], {})
    expect(config).toMatchObject({ secret: 'from-file', adminToken: 'tok' })
    expect(() => loadServeConfig(['--secret', 'x'], {})).toThrow('unknown flag --secret')
    expect(() => loadServeConfig(['--secret-file', secretFile], env)).toThrow('HB_SECRET and --secret-file are both set: use one')
  })

  it('takes a Redis URL with a password from the environment or a file only, and never shows it', () => {
    const withPassword = 'redis://:hunter2@127.0.0.1:6390/1'
    expect(loadServeConfig(['--udp', '0', '--redis-url', 'redis://cache:6390'], env).config).toMatchObject({ redisUrl: 'redis://cache:6390' })
    expect(loadServeConfig(['--udp', '0', '--redis-namespace', 'fleet'], { ...env, HB_REDIS_URL: withPassword }).config).toMatchObject({ redisUrl: withPassword, redisNamespace: 'fleet' })
    const urlFile = file('redis-url', `${withPassword}\n`)
    const fromFile = loadServeConfig(['--udp', '0', '--redis-url-file', urlFile], env).config
    expect(fromFile).toMatchObject({ redisUrl: withPassword })
    expect(fromFile).not.toHaveProperty('redisUrlFile')
    const refusals: Array<() => unknown> = [
      () => loadServeConfig(['--redis-url', withPassword], env),
      () => loadServeConfig(['--redis-url', 'http://:hunter2@host'], env),
      () => loadServeConfig(['--config', file('redis.json', JSON.stringify({ redisUrl: withPassword }))], env),
      () => loadServeConfig(['--redis-url-file', urlFile], { ...env, HB_REDIS_URL: 'redis://other' }),
      () => loadServeConfig(['--redis-url-file', file('bad-url', 'hunter2')], env),
    ]
    const messages = refusals.map((load) => {
      try {
        load()
      } catch (error) {
        return (error as Error).message
      }
      return 'accepted'
    })
    expect(messages).toEqual([
      '--redis-url: this Redis URL holds a password: put it in HB_REDIS_URL or a file named by --redis-url-file',
      '--redis-url: expected a redis:// or rediss:// URL with a host (the value is not shown: it may hold a password)',
      expect.stringMatching(/^config file .*redis\.json: redisUrl: this Redis URL holds a password/),
      'HB_REDIS_URL and --redis-url-file are both set: use one',
      expect.stringMatching(/^--redis-url-file .*bad-url: expected a redis:\/\/ or rediss:\/\/ URL/),
    ])
    for (const message of messages) expect(message).not.toContain('hunter2')
    expect(() => resolveServerConfig({ udp: 0, secret: 'x', redisNamespace: 'a{b}' })).toThrow('redisNamespace must not contain { or }')
    expect(resolveServerConfig({ udp: 0, secret: 'x' }).redisNamespace).toBe('hb')
  })

  it('names the flag, variable or file key of a bad value', () => {
    expect(() => loadServeConfig(['--udp', '70000'], env)).toThrow('--udp: expected a port number from 0 to 65535, got "70000"')
    expect(() => loadServeConfig([], { ...env, HB_TIMEOUT_MS: 'soon' })).toThrow('HB_TIMEOUT_MS: expected a positive duration')
    const bad = file('bad.json', JSON.stringify({ udp: 'x' }))
    expect(() => loadServeConfig(['--config', bad], env)).toThrow(`config file ${bad}: udp: expected a port number`)
    const unknown = file('unknown.json', JSON.stringify({ udpPort: 1 }))
    expect(() => loadServeConfig(['--config', unknown], env)).toThrow(`config file ${unknown}: unknown setting "udpPort"`)
    const secret = file('secret.json', JSON.stringify({ secret: 'x' }))
    expect(() => loadServeConfig(['--config', secret], env)).toThrow('"secret" is a secret: put it in its environment variable or a secretFile')
    const broken = file('broken.json', '{ udp: 1')
    expect(() => loadServeConfig(['--config', broken], env)).toThrow(`config file ${broken}: not valid JSON`)
    expect(() => loadServeConfig(['--config', join(directory, 'missing.json')], env)).toThrow('cannot read it (ENOENT)')
    expect(() => loadServeConfig(['--webhooks', 'ftp://x'], env)).toThrow('--webhooks: expected http: or https: URLs (bad: "ftp://x")')
    expect(() => loadServeConfig(['--webhook-events', 'online,gone'], env)).toThrow('--webhook-events: expected a list of online, offline, suspect, recover')
    expect(() => loadServeConfig(['7946'], env)).toThrow('hb serve takes no arguments')
  })

  it('checks the rules between settings', () => {
    expect(() => resolveServerConfig({ secret: 'x' })).toThrow('no transport: give at least one of --udp, --tcp, --ws, --http')
    expect(() => resolveServerConfig({ udp: 0 })).toThrow('set exactly one key')
    expect(() => resolveServerConfig({ udp: 0, secret: 'x', masterKey: 'y' })).toThrow('set exactly one key')
    expect(() => resolveServerConfig({ udp: 0, secret: 'x', adminHost: '0.0.0.0' })).toThrow('admin API on 0.0.0.0 is reachable from other machines: set a token')
    expect(resolveServerConfig({ udp: 0, secret: 'x', adminHost: '0.0.0.0', adminToken: 't' }).adminToken).toBe('t')
    expect(resolveServerConfig({ udp: 0, secret: 'x', adminHost: '127.0.0.2' }).adminHost).toBe('127.0.0.2')
    expect(() => resolveServerConfig({ udp: 0, secret: 'x', webhooks: ['http://127.0.0.1/'] })).toThrow('webhooks are signed')
    expect(() => resolveServerConfig({ udp: 0, secret: 'x', timeoutMs: 1000, suspectAfterMs: 1000 })).toThrow('suspectAfterMs must be less than timeoutMs')
    expect(() => resolveServerConfig({ udp: 0, secret: 'x', udpPort: 1 } as never)).toThrow('config.udpPort: unknown setting')
    expect(() => resolveServerConfig({ udp: 0, secret: '' })).toThrow('config.secret must be a non-empty')
    expect(() => resolveServerConfig({ udp: 0, secret: 'x', riseBeats: 256 })).toThrow('config.riseBeats: expected an integer from 1 to 255')
  })
})
