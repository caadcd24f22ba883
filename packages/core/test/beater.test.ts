import { describe, expect, it } from 'vitest'
import { createBeater, createMonitor, HeartbeatError } from '../src/index.js'
import { intervalForTimeout } from '../src/protocol.js'
import { decodeFrame } from '../src/protocol.js'
import type { ClientTransport } from '../src/index.js'
import { createFakeClock, createMemoryTransportPair, settle } from '../src/testing/index.js'
import { delayedInbound, SECRET } from './helpers.js'

function world(kind: 'connection' | 'datagram' = 'connection') {
  const clock = createFakeClock(0)
  const sent: { at: number; type: string; seq: number; ackRequested: boolean }[] = []
  const pair = createMemoryTransportPair({
    kind,
    tap(direction, bytes) {
      const decoded = decodeFrame(bytes, 4096)
      if (direction === 'to-server' && decoded.ok) {
        const { type, seq, ackRequested } = decoded.frame
        sent.push({ at: clock.now(), type, seq, ackRequested: ackRequested === true })
      }
    },
  })
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 1000, clock, transports: [pair.server] })
  const events: string[] = []
  monitor.on('online', (p) => events.push(`${clock.now()} online ${p.id}`))
  monitor.on('offline', (p, reason) => events.push(`${clock.now()} offline ${p.id} ${reason}`))
  monitor.on('suspect', (p) => events.push(`${clock.now()} suspect ${p.id}`))
  return { clock, pair, monitor, events, sent }
}

describe('beater', () => {
  it('runs the README example: hello at once, a beat every interval, an ack asked for every 3rd beat', async () => {
    const { clock, pair, monitor, events, sent } = world()
    await monitor.start()
    // 'spread' with no jitter: one beat exactly every interval from the hello (the default 'slot' phase is beat-phase.test.ts's).
    const beater = createBeater({ id: 'client-1', secret: SECRET, transport: pair.client, intervalMs: 250, clock, jitter: 0, phase: 'spread' })
    const acks: number[] = []
    beater.on('ack', ({ seq, rttMs }) => acks.push(seq) && expect(rttMs).toBe(0))
    const stop = beater.start()
    await settle()
    expect(events).toEqual(['0 online client-1'])
    clock.advance(1500)
    expect(sent.map((f) => `${f.at} ${f.type} ${f.seq}${f.ackRequested ? ' ack?' : ''}`)).toEqual([
      '0 hello 0 ack?',
      '250 beat 1',
      '500 beat 2',
      '750 beat 3 ack?',
      '1000 beat 4',
      '1250 beat 5',
      '1500 beat 6 ack?',
    ])
    expect(acks).toEqual([0, 3, 6])
    expect(beater.rttMs).toBe(0)
    await stop()
    expect(sent.at(-1)).toMatchObject({ type: 'bye', ackRequested: true })
    expect(events).toEqual(['0 online client-1', '1500 offline client-1 left'])
    expect(beater.running).toBe(false)
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('ackEvery: 1 asks for an ack on every beat', async () => {
    const { clock, pair, monitor, sent } = world()
    await monitor.start()
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 250, clock, jitter: 0, ackEvery: 1 })
    const acks: number[] = []
    beater.on('ack', ({ seq }) => acks.push(seq))
    const stop = beater.start()
    await settle()
    clock.advance(1000)
    expect(sent.map((f) => f.ackRequested)).toEqual([true, true, true, true, true])
    expect(acks).toEqual([0, 1, 2, 3, 4])
    await stop()
    await monitor.close()
  })

  it('without intervalMs, beats at the timeout the monitor announces / 6.5, from the first ack on', async () => {
    const { clock, pair, monitor, sent } = world() // monitor timeoutMs 1000
    const monitorSaw: string[] = []
    monitor.on('misconfigured', (peer) => monitorSaw.push(peer.id))
    await monitor.start()
    // Acks take 40 ms: the first beat is already waiting at the fallback pace when the hello's ack arrives.
    const transport = delayedInbound(pair.client, clock, 40)
    // 'spread' with no jitter: beats exactly one interval apart, from wherever the pace changed.
    const beater = createBeater({ id: 'c', secret: SECRET, transport, clock, jitter: 0, phase: 'spread' })
    const stop = beater.start()
    await settle()
    expect(beater.intervalMs).toBe(2308)
    clock.advance(40)
    const pace = intervalForTimeout(1000)
    expect(pace).toBe(154)
    expect(beater.intervalMs).toBe(pace)
    clock.advance(3 * pace)
    expect(sent.filter((f) => f.type === 'beat').map((f) => f.at)).toEqual([40 + pace, 40 + 2 * pace, 40 + 3 * pace])
    // Its hello said its interval was provisional: no misconfigured report for the 2308 ms it announced.
    expect(monitorSaw).toEqual([])
    expect(monitor.get('c')?.state).toBe('alive')
    await stop()
    await monitor.close()
  })

  it('an intervalMs at or past half the announced timeout is reported once as misconfigured', async () => {
    const { clock, pair, monitor } = world() // monitor timeoutMs 1000
    const monitorSaw: string[] = []
    monitor.on('misconfigured', (peer, info) => monitorSaw.push(`${peer.id} ${info.code} ${info.intervalMs}/${info.timeoutMs}`))
    await monitor.start()
    const beater = createBeater({ id: 'slow', secret: SECRET, transport: pair.client, intervalMs: 500, clock, jitter: 0, ackEvery: 1 })
    const seen: string[] = []
    beater.on('misconfigured', (info) => seen.push(`${info.code} ${info.intervalMs}/${info.timeoutMs}`))
    const stop = beater.start()
    await settle()
    clock.advance(2000)
    expect(seen).toEqual(['interval-too-long 500/1000'])
    expect(monitorSaw).toEqual(['slow interval-too-long 500/1000'])
    await stop()
    await monitor.close()
  })

  it('an interval just under half the timeout is not misconfigured', async () => {
    const { clock, pair, monitor } = world()
    const monitorSaw: string[] = []
    monitor.on('misconfigured', (peer) => monitorSaw.push(peer.id))
    await monitor.start()
    const beater = createBeater({ id: 'ok', secret: SECRET, transport: pair.client, intervalMs: 499, clock, jitter: 0 })
    const seen: string[] = []
    beater.on('misconfigured', (info) => seen.push(info.code))
    const stop = beater.start()
    await settle()
    clock.advance(2000)
    expect(seen).toEqual([])
    expect(monitorSaw).toEqual([])
    await stop()
    await monitor.close()
  })

  it('stop({ bye: false }) goes silent: offline by timeout at the right tick', async () => {
    const { clock, pair, monitor, events } = world('datagram')
    await monitor.start()
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 250, clock, jitter: 0 })
    const stop = beater.start()
    await settle()
    clock.advance(500) // last beat at 500
    await stop({ bye: false })
    clock.advance(999)
    expect(events).toEqual(['0 online c'])
    clock.advance(51)
    expect(events).toEqual(['0 online c', '1500 offline c timeout'])
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('jitter keeps every interval within intervalMs × [1 − j/2, 1 + j/2]', async () => {
    const { clock, pair, monitor, sent } = world('datagram')
    await monitor.start()
    let r = 0
    const random = () => (r = (r * 7 + 3) % 11) / 11
    const stop = createBeater({ id: 'j', secret: SECRET, transport: pair.client, intervalMs: 1000, jitter: 0.2, clock, random }).start()
    await settle()
    clock.advance(20_000)
    const gaps = sent.slice(1).map((f, i) => f.at - (sent[i] as { at: number }).at)
    expect(gaps.length).toBeGreaterThan(15)
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(900)
      expect(gap).toBeLessThanOrEqual(1100)
    }
    expect(new Set(gaps).size).toBeGreaterThan(1)
    await stop({ bye: false })
    await monitor.close()
  })

  it.each([
    [3, 3],
    [1, 3],
    [3, 1],
    [5, 2],
  ])('ackEvery %i, missedAcks %i: server-lost exactly ackEvery + missedAcks beats after the last answered request (datagram)', async (ackEvery, missedAcks) => {
    const { clock, pair, monitor, sent } = world('datagram')
    await monitor.start()
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 100, clock, jitter: 0, ackEvery, missedAcks })
    const seen: string[] = []
    beater.on('server-lost', ({ missedAcks: missed }) => seen.push(`${clock.now()} lost ${missed}`))
    beater.on('server-back', () => seen.push(`${clock.now()} back`))
    const stop = beater.start()
    await settle()
    // The hello (a request) was answered at 0; the server goes silent right after.
    pair.setPartitioned(true)
    const bound = (ackEvery + missedAcks) * 100
    clock.advance(bound - 1)
    expect(seen).toEqual([])
    clock.advance(1)
    expect(seen).toEqual([`${bound} lost ${missedAcks}`])
    expect(beater.serverLost).toBe(true)
    // While overdue, every beat asks.
    expect(sent.filter((f) => f.at > ackEvery * 100).every((f) => f.ackRequested)).toBe(true)
    pair.setPartitioned(false)
    clock.advance(100)
    expect(seen).toEqual([`${bound} lost ${missedAcks}`, `${bound + 100} back`])
    await stop()
    await monitor.close()
  })

  it('connection transports: a silent server makes the beater drop the link and reconnect with backoff', async () => {
    const { clock, pair, monitor, sent } = world('connection')
    await monitor.start()
    const beater = createBeater({
      id: 'c', secret: SECRET, transport: pair.client, intervalMs: 100, clock, jitter: 0, missedAcks: 2,
      random: () => 0.5, reconnect: { initialDelayMs: 400, maxDelayMs: 1000 },
    })
    const seen: string[] = []
    beater.on('disconnect', () => seen.push(`${clock.now()} disconnect`))
    beater.on('connect', () => seen.push(`${clock.now()} connect`))
    const stop = beater.start()
    await settle()
    pair.setPartitioned(true)
    // The hello was acked at 0; the beat at 300 asks (ackEvery 3) and is not answered, nor
    // the one at 400: the 500 tick finds the 2nd unanswered → server-lost → link dropped;
    // reconnect in 0.5 × 400 ms.
    clock.advance(500)
    pair.setPartitioned(false)
    clock.advance(199)
    await settle()
    expect(seen).toEqual(['0 connect', '500 disconnect'])
    clock.advance(1)
    await settle()
    expect(seen).toEqual(['0 connect', '500 disconnect', '700 connect'])
    expect(sent.filter((f) => f.type === 'hello').map((f) => f.at)).toEqual([0, 700])
    await stop()
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('retries a failed connect with growing backoff until the server is up', async () => {
    const clock = createFakeClock(0)
    const pair = createMemoryTransportPair()
    const monitor = createMonitor({ secret: SECRET, clock, transports: [pair.server] })
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, clock, random: () => 0.999, reconnect: { initialDelayMs: 100, maxDelayMs: 250 } })
    const errors: string[] = []
    beater.on('error', (e) => errors.push(`${clock.now()} ${e.code}`))
    const stop = beater.start()
    await settle()
    clock.advance(99)
    await settle()
    clock.advance(199)
    await settle()
    expect(errors).toEqual(['0 HB_ERR_TRANSPORT', '99 HB_ERR_TRANSPORT', '298 HB_ERR_TRANSPORT'])
    await monitor.start()
    clock.advance(249)
    await settle()
    expect(monitor.get('c')?.state).toBe('alive')
    await stop({ bye: false })
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('ignores acks it cannot verify or did not ask for', async () => {
    const { clock, pair, monitor } = world('datagram')
    await monitor.start()
    const beater = createBeater({ id: 'c', secret: 'wrong-secret', transport: pair.client, clock })
    const stop = beater.start()
    await settle()
    expect(monitor.stats().rejected['bad-signature']).toBe(1)
    expect(beater.stats().acked).toBe(0)
    await stop({ bye: false })
    await monitor.close()
  })

  it('stops on abort (with bye), runs once, and validates its options', async () => {
    const { clock, pair, monitor, events } = world()
    await monitor.start()
    const controller = new AbortController()
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, clock, signal: controller.signal })
    beater.start()
    await settle()
    controller.abort()
    await settle()
    expect(events).toEqual(['0 online c', '0 offline c left'])
    expect(() => beater.start()).toThrow(HeartbeatError)
    expect(() => createBeater({ id: '', secret: SECRET, transport: pair.client })).toThrow(/id must be/)
    expect(() => createBeater({ id: 'x', secret: SECRET, transport: pair.client, intervalMs: 0 })).toThrow(/intervalMs/)
    expect(() => createBeater({ id: 'x', transport: pair.client })).toThrow(HeartbeatError)
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('signs and verifies over WebCrypto (the browser path) with the same results', async () => {
    const { clock, pair, monitor, events, sent } = world('datagram')
    await monitor.start()
    const beater = createBeater({ id: 'web', secret: SECRET, transport: pair.client, intervalMs: 100, clock, jitter: 0, ackEvery: 1, crypto: 'web' })
    const acks: number[] = []
    let wake = (): void => {}
    beater.on('ack', ({ seq }) => (acks.push(seq), wake()))
    // WebCrypto completes on a worker thread: wait for each ack, with a deadline.
    const acked = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const signal = AbortSignal.timeout(5000)
        signal.addEventListener('abort', () => reject(new Error(`only ${acks.length} acks`)))
        wake = () => acks.length >= count && resolve()
        wake()
      })
    const stop = beater.start()
    await acked(1)
    for (let i = 0; i < 3; i++) {
      clock.advance(100)
      await acked(i + 2)
    }
    expect(sent.map((f) => `${f.type} ${f.seq}`)).toEqual(['hello 0', 'beat 1', 'beat 2', 'beat 3'])
    expect(acks).toEqual([0, 1, 2, 3])
    await stop()
    expect(events).toEqual(['0 online web', '300 offline web left'])
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('aborts a connect that hangs past connectTimeoutMs and retries with backoff', async () => {
    const clock = createFakeClock(0)
    const attempts: number[] = []
    let rejectPending: ((error: Error) => void) | undefined
    const hanging: ClientTransport = {
      name: 'blackhole',
      kind: 'connection',
      encoding: 'binary',
      connect() {
        attempts.push(clock.now())
        return new Promise<void>((_, reject) => (rejectPending = reject))
      },
      send: () => Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'not connected')),
      disconnect() {
        rejectPending?.(new HeartbeatError('HB_ERR_TRANSPORT', 'aborted'))
      },
      close: async () => rejectPending?.(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'closed')),
    }
    const beater = createBeater({
      id: 'c', secret: SECRET, transport: hanging, clock, connectTimeoutMs: 1000,
      random: () => 0.5, reconnect: { initialDelayMs: 400, maxDelayMs: 400 },
    })
    const errors: string[] = []
    beater.on('error', (e) => errors.push(`${clock.now()} ${e.code}`))
    const stop = beater.start()
    clock.advance(999)
    await settle()
    expect(errors).toEqual([])
    clock.advance(1)
    await settle()
    expect(errors).toEqual(['1000 HB_ERR_TIMEOUT', '1000 HB_ERR_TRANSPORT'])
    clock.advance(200) // backoff 0.5 × 400 ms
    await settle()
    expect(attempts).toEqual([0, 1200])
    await stop({ bye: false })
    expect(clock.pending()).toBe(0)
  })

  it('one-way mode: a monitor with acks: false sends nothing back; a beater with expectAcks: false never reports server-lost', async () => {
    const clock = createFakeClock(0)
    const replies: Uint8Array[] = []
    const pair = createMemoryTransportPair({ kind: 'datagram', tap: (direction, bytes) => direction === 'to-client' && replies.push(bytes) })
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 1000, clock, transports: [pair.server], acks: false })
    await monitor.start()
    const beater = createBeater({ id: 'quiet', secret: SECRET, transport: pair.client, intervalMs: 100, clock, expectAcks: false })
    const lost: number[] = []
    beater.on('server-lost', () => lost.push(clock.now()))
    const stop = beater.start()
    await settle()
    clock.advance(2000)
    expect(monitor.get('quiet')?.state).toBe('alive')
    expect(replies).toEqual([])
    expect(lost).toEqual([])
    expect(beater.rttMs).toBeUndefined()
    await stop()
    expect(monitor.get('quiet')?.state).toBe('left')
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })
})
