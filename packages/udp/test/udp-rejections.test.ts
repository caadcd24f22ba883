import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBeater, createMonitor } from '@hb/core'
import { createFakeClock } from '@hb/core/testing'
import { signFrame } from '@hb/core/protocol'
import type { ClientTransport, Monitor, RejectedInfo } from '@hb/core'
import type { FrameFields } from '@hb/core/protocol'
import { createUdpClient, createUdpServer } from '../src/index.js'
import { closeRaw, createWaiter, rawSocket, sendTo } from './helpers.js'

const SECRET = new TextEncoder().encode('udp-test-secret')
const WRONG = new TextEncoder().encode('not-the-secret')

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()))
})

// Time stands still unless a test moves it: frames are stamped with this clock's wall time,
// so "stale" is exactly 120 s old and nothing times out while a test waits on sockets.
let clock = createFakeClock()
beforeEach(() => {
  clock = createFakeClock()
})

async function startMonitor() {
  const server = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize: 1 << 20 })
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 2000, transports: [server], clock })
  cleanup.push(() => monitor.close())
  const waiter = createWaiter()
  const rejected: RejectedInfo[] = []
  const online: string[] = []
  monitor.on('rejected', (info) => (rejected.push(info), waiter.notify()))
  monitor.on('online', (peer) => (online.push(peer.id), waiter.notify()))
  await monitor.start()
  const address = server.address()
  if (address === null) throw new Error('not listening')
  const attacker = await rawSocket()
  cleanup.push(() => closeRaw(attacker))
  attacker.on('message', () => waiter.notify())
  return { server, monitor, waiter, rejected, online, port: address.port, attacker }
}

const frame = (fields: Partial<FrameFields> = {}, key = SECRET): Uint8Array =>
  signFrame({ type: 'beat', peerId: 'mallory', keyId: '', incarnation: 1, seq: 1, timestampMs: clock.wallNow(), ...fields }, key, 'binary')

const rejectedTotal = (monitor: Monitor): number => Object.values(monitor.stats().rejected).reduce((a, b) => a + b, 0)

describe('udp: a monitor rejects bad datagrams with the right reason and keeps no state for them', () => {
  const cases: [string, string, () => Uint8Array][] = [
    ['garbage', 'malformed', () => new Uint8Array(64).fill(0x5a)],
    ['an empty datagram', 'malformed', () => new Uint8Array(0)],
    ['a truncated frame', 'malformed', () => frame().subarray(0, 40)],
    ['an oversized datagram', 'too-large', () => new Uint8Array(2049).fill(0x68)],
    ['an unsigned frame (bad MAC)', 'bad-signature', () => frame({}, WRONG)],
    ['a frame naming an unknown key', 'unknown-key', () => frame({ keyId: 'k9' })],
    ['a stale frame', 'stale', () => frame({ timestampMs: clock.wallNow() - 120_000 })],
    ['an ack sent to the monitor', 'unexpected', () => frame({ type: 'ack', timeoutMs: 1000 })],
  ]
  it.each(cases)('%s is %s', async (_name, reason, make) => {
    const t = await startMonitor()
    await sendTo(t.attacker, make(), t.port)
    await t.waiter.until(() => t.rejected.length === 1, `a ${reason} rejection`)
    expect(t.rejected[0]).toMatchObject({ reason, transport: 'udp', remoteAddress: `127.0.0.1:${t.attacker.address().port}` })
    expect(t.monitor.size).toBe(0)
  })

  it('rejects a replayed datagram captured from a real beater as replay', async () => {
    const t = await startMonitor()
    const captured: Uint8Array[] = []
    const client = createUdpClient({ host: '127.0.0.1', port: t.port })
    // A tap between the beater and the socket, as an eavesdropper on the path would see it.
    const tapped: ClientTransport = {
      name: client.name,
      kind: client.kind,
      encoding: client.encoding,
      connect: (handler, options) => client.connect(handler, options),
      send: (bytes) => (captured.push(bytes.slice()), client.send(bytes)),
      close: () => client.close(),
    }
    const acks: number[] = []
    const beater = createBeater({ id: 'alice', secret: SECRET, transport: tapped, intervalMs: 1000, jitter: 0, ackEvery: 1, clock })
    beater.on('ack', ({ seq }) => (acks.push(seq), t.waiter.notify()))
    const stop = beater.start()
    cleanup.push(() => stop({ bye: false }))
    await t.waiter.until(() => acks.length === 1, 'the ack of the hello')
    clock.advance(1000) // the first beat
    await t.waiter.until(() => acks.length === 2, 'the ack of the first beat')
    await stop({ bye: false })
    expect(t.online).toEqual(['alice'])
    expect(captured.length).toBe(2) // hello, beat
    for (const bytes of captured) await sendTo(t.attacker, bytes, t.port)
    await t.waiter.until(() => t.rejected.length === 2, 'two replay rejections')
    expect(t.rejected.map((r) => `${r.reason} ${r.peerId}`)).toEqual(['replay alice', 'replay alice'])
    expect(t.monitor.size).toBe(1)
    expect(t.attacker.received).toEqual([]) // no ack for a replay
  })

  it('keeps monitor.size at 0 through a flood of 10 000 forged datagrams, and acks none of them', async () => {
    const t = await startMonitor()
    const total = 10_000
    const window = 200 // in flight at once, well inside the socket buffer: loopback must not drop any
    for (let sent = 0; sent < total; ) {
      const batch = Math.min(window, total - sent)
      await Promise.all(
        Array.from({ length: batch }, (_, i) => {
          const n = sent + i
          // Forged in several ways: a wrong key, random peer ids, every type.
          const type = (['hello', 'beat', 'bye'] as const)[n % 3]!
          const fields: Partial<FrameFields> = { peerId: `forged-${n}`, seq: n, type, ...(type === 'hello' ? { intervalMs: 1000 } : {}) }
          return sendTo(t.attacker, frame(fields, WRONG), t.port)
        }),
      )
      sent += batch
      await t.waiter.until(() => rejectedTotal(t.monitor) === sent, `${sent} rejections`)
    }
    expect(t.monitor.stats().rejected['bad-signature']).toBe(total)
    expect(t.monitor.size).toBe(0)
    expect(t.online).toEqual([])
    expect(t.monitor.stats().accepted).toBe(0)
    // Datagrams from one sender arrive in order: the ack of a valid frame sent last is the
    // first thing the attacker's socket receives, so no forged frame was answered.
    await sendTo(t.attacker, frame({ peerId: 'honest', ackRequested: true }), t.port)
    await t.waiter.until(() => t.attacker.received.length === 1, 'the ack of the one valid frame')
    expect(t.monitor.size).toBe(1)
  })
})
