/**
 * The `hb` bin as a user runs it: the built dist/cli.js in a child process,
 * real sockets on 127.0.0.1 port 0, every wait bounded, every child killed
 * after each test.
 */
import { deriveKey } from '@hb/core'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyWebhookSignature } from '../src/index.js'
import { killAll, spawnHb } from './support/spawn-hb.js'
import type { HbProcess } from './support/spawn-hb.js'
import { startWebhookReceiver } from './support/webhook-receiver.js'
import type { WebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'cli-secret'
const WEBHOOK_SECRET = 'cli-webhook-secret'
const cleanup: Array<() => unknown> = []
afterEach(async () => {
  await killAll()
  for (const step of cleanup.splice(0).reverse()) await step()
})

interface Served {
  readonly serve: HbProcess
  readonly admin: string
  readonly ports: Record<string, number>
  peers(): Promise<Array<{ id: string; state: string; transport: string }>>
}

async function serve(args: string[], env: Record<string, string> = { HB_SECRET: SECRET }): Promise<Served> {
  const process = spawnHb(['serve', '--host', '127.0.0.1', '--admin-port', '0', ...args], env)
  const serving = await process.logLine((line) => line.msg === 'hb serving', 'hb serving')
  const admin = serving.admin as string
  return {
    serve: process,
    admin,
    ports: serving.transports as Record<string, number>,
    async peers() {
      const response = await fetch(`${admin}/api/peers`, { signal: AbortSignal.timeout(5000) })
      return ((await response.json()) as { peers: Array<{ id: string; state: string; transport: string }> }).peers
    },
  }
}

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver()
  cleanup.push(() => started.close())
  return started
}

describe('hb: bad input', () => {
  it.each([
    [['serve', '--udpp', '1'], 'hb serve: unknown flag --udpp'],
    [['serve', '--udp', '99999'], 'hb serve: --udp: expected a port number from 0 to 65535, got "99999"'],
    [['serve', '--udp', '0', '--admin-host', '0.0.0.0'], 'hb serve: admin API on 0.0.0.0 is reachable from other machines: set a token (HB_ADMIN_TOKEN or --admin-token-file)'],
    [['serve', '--udp', '0', '--timeout-ms', 'soon'], 'hb serve: --timeout-ms: expected a positive duration such as 500ms, 5s or 2m, got "soon"'],
    [['beat', 'ftp://127.0.0.1:1', '--id', 'a'], 'hb beat: ftp://127.0.0.1:1: unsupported scheme ftp: (use udp:, tcp:, ws:, wss:, http:, https:)'],
    [['beat', 'udp://127.0.0.1', '--id', 'a'], 'hb beat: udp://127.0.0.1: udp:// URLs need a host and a port from 1 to 65535, like udp://127.0.0.1:7946'],
    [['beat', 'udp://127.0.0.1:7946'], 'hb beat: --id is required (or HB_ID): the name this peer is tracked by'],
    [['beat', 'udp://127.0.0.1:7946', '--id', 'a', '--interval', 'often'], 'hb beat: --interval: expected a duration of at least 10ms such as 5s, got "often"'],
    [['derive-key', '--id', 'a'], 'hb derive-key: no master key: set HB_MASTER_KEY or --master-key-file'],
    [['launch'], 'hb: unknown command "launch" (commands: serve, beat, keygen, derive-key, help)'],
  ])('hb %j → exit 2 and one line', async (args, line) => {
    const hb = spawnHb(args, { HB_SECRET: SECRET })
    expect(await hb.exit()).toBe(2)
    expect(hb.stderr.filter((text) => text !== '')).toEqual([line])
  })
})

describe('hb keygen and derive-key', () => {
  it('prints a random secret, and a peer key equal to deriveKey(master, id)', async () => {
    const first = spawnHb(['keygen'])
    const second = spawnHb(['keygen'])
    expect([await first.exit(), await second.exit()]).toEqual([0, 0])
    expect(first.stdout[0]).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(first.stdout[0]).not.toBe(second.stdout[0])

    const derived = spawnHb(['derive-key', '--id', 'device-7'], { HB_MASTER_KEY: 'master-key' })
    expect(await derived.exit()).toBe(0)
    expect(derived.stdout[0]).toBe(`hex:${Buffer.from(deriveKey('master-key', 'device-7')).toString('hex')}`)
  })
})

describe('hb serve and hb beat', () => {
  it('serves every transport; hb beat over each scheme passes the command exit code; webhooks are signed', async () => {
    const hooks = await receiver()
    const served = await serve(['--udp', '0', '--tcp', '0', '--ws', '0', '--http', '0', '--webhooks', hooks.url], { HB_SECRET: SECRET, HB_WEBHOOK_SECRET: WEBHOOK_SECRET })
    const urls: Record<string, string> = {
      udp: `udp://127.0.0.1:${served.ports.udp}`,
      tcp: `tcp://127.0.0.1:${served.ports.tcp}`,
      ws: `ws://127.0.0.1:${served.ports.ws}/`,
      http: `http://127.0.0.1:${served.ports.http}/`,
    }
    const codes = { udp: 0, tcp: 3, ws: 4, http: 5 }
    const beats = Object.entries(urls).map(([name, url]) =>
      // 250 ms between beats: a shorter interval on a loaded machine can miss three acks in a row,
      // and the beater then drops a TCP/WS link to reconnect (that is its job, not what this tests).
      spawnHb(['beat', url, '--id', `job-${name}`, '--interval', '250ms', '--', process.execPath, '-e', `setTimeout(() => process.exit(${codes[name as keyof typeof codes]}), 600)`], { HB_SECRET: SECRET }),
    )
    expect(await Promise.all(beats.map((beat) => beat.exit()))).toEqual([0, 3, 4, 5])

    const peers = await served.peers()
    expect(peers.map((peer) => `${peer.id} ${peer.state} ${peer.transport}`)).toEqual(['job-http left http', 'job-tcp left tcp', 'job-udp left udp', 'job-ws left ws'])

    await hooks.until(() => hooks.received.length === 8, 'online and offline webhooks of four peers')
    for (const hook of hooks.received) {
      expect(await verifyWebhookSignature({ secret: WEBHOOK_SECRET, header: hook.headers['hb-signature'] as string, body: hook.body })).toBe(true)
    }
    const kinds = hooks.received.map((hook) => JSON.parse(hook.body) as { type: string; peer: { id: string } }).map((body) => `${body.type} ${body.peer.id}`)
    expect(kinds.filter((kind) => kind.startsWith('offline')).sort()).toEqual(['offline job-http', 'offline job-tcp', 'offline job-udp', 'offline job-ws'])

    const metrics = await (await fetch(`${served.admin}/metrics`, { signal: AbortSignal.timeout(5000) })).text()
    for (const transport of ['udp', 'tcp', 'ws', 'http']) expect(metrics).toMatch(new RegExp(`hb_transitions_total\\{event="offline",transport="${transport}",reason="left"\\} 1`))
  })

  it('beats until SIGINT, then says bye; a command that cannot start exits 127', async () => {
    const served = await serve(['--udp', '0'])
    const beat = spawnHb(['beat', `udp://127.0.0.1:${served.ports.udp}`, '--id', 'daemon', '--interval', '50ms'], { HB_SECRET: SECRET })
    await served.serve.logLine((line) => line.msg === 'peer online' && line.peer === 'daemon', 'daemon online')
    beat.child.kill('SIGINT')
    expect(await beat.exit()).toBe(0)
    await served.serve.logLine((line) => line.msg === 'peer offline' && line.peer === 'daemon' && line.reason === 'left', 'daemon left')

    const missing = spawnHb(['beat', `udp://127.0.0.1:${served.ports.udp}`, '--id', 'nothing', '--', '/nonexistent/command'], { HB_SECRET: SECRET })
    expect(await missing.exit()).toBe(127)
    expect(missing.stderr.join('\n')).toContain('hb beat: cannot run "/nonexistent/command": ENOENT')
  })

  it('per-peer derived keys: a provisioned key works, another peer\'s does not', async () => {
    const served = await serve(['--udp', '0', '--log-level', 'debug'], { HB_MASTER_KEY: 'fleet-master' })
    const key = spawnHb(['derive-key', '--id', 'device-1'], { HB_MASTER_KEY: 'fleet-master' })
    expect(await key.exit()).toBe(0)
    const url = `udp://127.0.0.1:${served.ports.udp}`
    const good = spawnHb(['beat', url, '--id', 'device-1', '--interval', '50ms', '--', process.execPath, '-e', 'setTimeout(() => {}, 200)'], { HB_SECRET: key.stdout[0]! })
    expect(await good.exit()).toBe(0)
    // device-2 signs with device-1's key: every frame is rejected.
    const thief = spawnHb(['beat', url, '--id', 'device-2', '--interval', '50ms', '--quiet', '--', process.execPath, '-e', 'setTimeout(() => {}, 200)'], { HB_SECRET: key.stdout[0]! })
    await served.serve.logLine((line) => line.msg === 'frame rejected' && line.reason === 'bad-signature', 'the thief rejected')
    expect(await thief.exit()).toBe(0)
    expect((await served.peers()).map((peer) => `${peer.id} ${peer.state}`)).toEqual(['device-1 left'])
    // The log never shows key material.
    expect(served.serve.stdout.join('\n')).not.toContain('fleet-master')
    expect(served.serve.stdout.join('\n')).not.toContain(key.stdout[0]!.slice(4, 20))
  })

  it('exits 0 on SIGTERM after flushing a webhook that was being retried', async () => {
    const hooks = await receiver()
    hooks.answer = (index) => (index === 0 ? 503 : 204)
    const served = await serve(['--udp', '0', '--webhooks', hooks.url, '--webhook-backoff-ms', '300ms', '--shutdown-timeout-ms', '5s'], {
      HB_SECRET: SECRET,
      HB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    })
    const beat = spawnHb(['beat', `udp://127.0.0.1:${served.ports.udp}`, '--id', 'last', '--', process.execPath, '-e', '0'], { HB_SECRET: SECRET })
    expect(await beat.exit()).toBe(0)
    // The first delivery (online) failed and waits for its retry; offline is queued behind it.
    await served.serve.logLine((line) => line.msg === 'webhook attempt failed', 'a failed attempt')
    served.serve.child.kill('SIGTERM')
    expect(await served.serve.exit()).toBe(0)
    expect(hooks.received.map((hook) => (JSON.parse(hook.body) as { type: string }).type)).toEqual(['online', 'online', 'offline'])
    const stopped = await served.serve.logLine((line) => line.msg === 'stopped', 'stopped')
    expect(stopped).toMatchObject({ webhooksDropped: 0, webhooksFailed: 0 })
  })
})
