/**
 * A monitor restart must not reopen replay (PROTOCOL.md §6.2): frames captured
 * before the restart are refused, and an honest beater, which stamps frames in
 * the monitor's time, is back online with its next frame.
 */
import { describe, expect, it } from 'vitest'
import { createBeater, createMonitor, fixedTimeout } from '../src/index.js'
import type { AttachedHandler, Clock, Monitor } from '../src/index.js'
import type { ClientTransport, ClientTransportHandler } from '../src/adapter/index.js'
import { createFakeClock, settle } from '../src/testing/index.js'
import { SECRET } from './helpers.js'

/**
 * A datagram "network" whose server end can be swapped: the beater's frames go
 * to whichever monitor is attached now, and its replies come back. Every frame
 * the beater sends is captured, as an eavesdropper on the path would.
 */
function relay() {
  let server: AttachedHandler | undefined
  let client: ClientTransportHandler | undefined
  const captured: Uint8Array[] = []
  const deliver = (bytes: Uint8Array) =>
    server?.onFrame({ bytes, remoteAddress: '10.0.0.7:4000', reply: (ack) => client?.onFrame(ack) })
  const transport: ClientTransport = {
    name: 'relay',
    kind: 'datagram',
    encoding: 'binary',
    async connect(handler) {
      client = handler
    },
    async send(bytes) {
      captured.push(bytes.slice())
      deliver(bytes)
    },
    async close() {
      client = undefined
    },
  }
  return {
    transport,
    captured,
    attach(monitor: Monitor) {
      server = monitor.attach({ name: 'relay', kind: 'datagram' })
    },
    /** An attacker resends bytes; returns the verdict. */
    replay: (bytes: Uint8Array) => deliver(bytes),
  }
}

/** A clock whose wall time is off by `offsetMs` from `base` (a peer with a wrong clock); monotonic time and timers shared. */
function skewedClock(base: Clock, offsetMs: number): Clock {
  return { now: () => base.now(), wallNow: () => base.wallNow() + offsetMs, setTimeout: base.setTimeout, clearTimeout: base.clearTimeout }
}

function watch(monitor: Monitor, clock: Clock) {
  const events: string[] = []
  monitor.on('online', (peer) => events.push(`${clock.now()} online ${peer.id}`))
  monitor.on('offline', (peer, reason) => events.push(`${clock.now()} offline ${peer.id} ${reason}`))
  monitor.on('rejected', (info) => events.push(`${clock.now()} rejected ${info.reason} ${info.peerId ?? ''}`))
  return events
}

describe('a monitor restart', () => {
  it('refuses every frame captured before it, on a monitor that knows nobody', async () => {
    const clock = createFakeClock(0)
    const net = relay()
    const before = createMonitor({ secret: SECRET, timeoutMs: 3000, clock })
    net.attach(before)
    const stop = createBeater({ id: 'victim', secret: SECRET, transport: net.transport, clock, intervalMs: 500, jitter: 0 }).start()
    await settle()
    clock.advance(2000) // hello + 4 beats captured
    await stop({ bye: false }) // the peer dies
    await before.close()

    clock.advance(10) // the monitor restarts 10 ms later: every captured frame is well inside skewMs
    const after = createMonitor({ secret: SECRET, timeoutMs: 3000, clock })
    const events = watch(after, clock)
    net.attach(after)
    expect(net.captured.length).toBe(5)
    for (const bytes of net.captured) expect(net.replay(bytes)).toEqual({ accepted: false, reason: 'stale' })
    expect(after.size).toBe(0)
    expect(events.every((event) => event.endsWith('rejected stale victim'))).toBe(true)
    await after.close()
  })

  it('takes an honest beater back with its next beat, within one interval', async () => {
    const clock = createFakeClock(0)
    const net = relay()
    const first = createMonitor({ secret: SECRET, timeoutMs: 3000, clock })
    net.attach(first)
    const beater = createBeater({ id: 'honest', secret: SECRET, transport: net.transport, clock, intervalMs: 500, jitter: 0 })
    const stop = beater.start()
    await settle()
    clock.advance(1200)
    await first.close()

    const second = createMonitor({ secret: SECRET, timeoutMs: 3000, clock })
    const events = watch(second, clock)
    net.attach(second)
    const restartedAt = clock.now()
    clock.advance(500)
    expect(events).toEqual([`${restartedAt + 300} online honest`]) // the beat due at 1500
    await stop()
    await second.close()
  })

  it.each([-20_000, 45_000, -45_000])('takes a beater whose clock is off by %i ms (before the start, or outside skewMs) one round trip later, through a clock-correction ack', async (offsetMs) => {
    const clock = createFakeClock(0)
    const net = relay()
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 3000, clock })
    const events = watch(monitor, clock)
    net.attach(monitor)
    const beater = createBeater({ id: 'skewed', secret: SECRET, transport: net.transport, clock: skewedClock(clock, offsetMs), intervalMs: 500, jitter: 0 })
    const stop = beater.start()
    await settle()
    // Its hello was stale (outside skewMs, or before the monitor started): refused, corrected, sent again at once.
    expect(events).toEqual(['0 rejected stale skewed', '0 online skewed'])
    expect(beater.clockOffsetMs).toBe(-offsetMs)
    clock.advance(2000)
    expect(monitor.get('skewed')?.state).toBe('alive')
    expect(monitor.stats().rejected.stale).toBe(1)
    await stop()
    await monitor.close()
  })

  it('learns the offset of a beater 20 s ahead (inside skewMs) from ordinary acks, with nothing refused', async () => {
    const clock = createFakeClock(0)
    const net = relay()
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 3000, clock })
    const events = watch(monitor, clock)
    net.attach(monitor)
    const beater = createBeater({ id: 'ahead', secret: SECRET, transport: net.transport, clock: skewedClock(clock, 20_000), intervalMs: 500, jitter: 0 })
    const stop = beater.start()
    await settle()
    expect(events).toEqual(['0 online ahead'])
    expect(beater.clockOffsetMs).toBe(-20_000)
    await stop()
    await monitor.close()
  })

  it('a one-way beater (no acks to learn from) stamps with its own clock: a slow clock waits until the monitor is older than its lag', async () => {
    const clock = createFakeClock(0)
    const net = relay()
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 5000, clock, acks: false })
    const events = watch(monitor, clock)
    net.attach(monitor)
    const beater = createBeater({ id: 'oneway', secret: SECRET, transport: net.transport, clock: skewedClock(clock, -1000), intervalMs: 400, jitter: 0, expectAcks: false })
    const stop = beater.start()
    await settle()
    clock.advance(1200)
    // hello at 0 and beats at 400 and 800 are stamped before the monitor started; the beat at 1200 is not.
    expect(events).toEqual(['0 rejected stale oneway', '400 rejected stale oneway', '800 rejected stale oneway', '1200 online oneway'])
    await stop()
    await monitor.close()
  })
})

describe('one source of truth for the timeout', () => {
  it.each([
    [200, 10],
    [1000, 50],
    [15_000, 100],
  ])('a monitor given only fixedTimeout({ timeoutMs: %i }) ticks every %i ms and convicts at its deadline, never before, within a tick', async (timeoutMs, tickMs) => {
    const clock = createFakeClock(0)
    const net = relay()
    const monitor = createMonitor({ secret: SECRET, detector: fixedTimeout({ timeoutMs }), clock })
    expect(monitor.attach({ name: 'probe', kind: 'datagram' }).timeoutMs).toBe(timeoutMs)
    const events = watch(monitor, clock)
    net.attach(monitor)
    const stop = createBeater({ id: 'p', secret: SECRET, transport: net.transport, clock, intervalMs: timeoutMs / 4, jitter: 0 }).start()
    await settle()
    await stop({ bye: false }) // silent after its hello at 0
    clock.advance(timeoutMs - 1)
    expect(events).toEqual(['0 online p'])
    clock.advance(1 + tickMs)
    expect(events).toHaveLength(2)
    const firedAt = Number(events[1]!.split(' ')[0])
    expect(firedAt).toBeGreaterThanOrEqual(timeoutMs)
    expect(firedAt).toBeLessThanOrEqual(timeoutMs + tickMs)
    await monitor.close()
  })

  it('refuses timeoutMs and detector together', () => {
    expect(() => createMonitor({ secret: SECRET, timeoutMs: 1000, detector: fixedTimeout({ timeoutMs: 1000 }) })).toThrow(/not both/)
  })
})
