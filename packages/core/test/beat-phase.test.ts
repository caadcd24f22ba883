import { describe, expect, it } from 'vitest'
import { nextBeatDelay, SLOT_MS } from '../src/beater/beat-phase.js'
import type { PhaseInput } from '../src/beater/beat-phase.js'
import { resolveBeaterOptions } from '../src/beater/beater-options.js'
import { createBeater, createMonitor, HeartbeatError } from '../src/index.js'
import type { ClientTransport } from '../src/index.js'
import { decodeFrame } from '../src/protocol.js'
import { createFakeClock, createMemoryTransportPair, settle } from '../src/testing/index.js'
import { delayedInbound, SECRET } from './helpers.js'

const WALL = 1_700_000_000_000

const slot = (input: Partial<PhaseInput> & { monitorWallMs: number }): number =>
  nextBeatDelay({ phase: 'slot', intervalMs: 1000, jitter: 0.1, draw: 0.5, slotDraw: 0.35, ...input })

describe('nextBeatDelay', () => {
  it("'spread' draws the interval from intervalMs × [1 − jitter/2, 1 + jitter/2]", () => {
    const at = (draw: number) => nextBeatDelay({ phase: 'spread', intervalMs: 1000, jitter: 0.2, draw, slotDraw: 0.9, monitorWallMs: WALL + 123 })
    expect([at(0), at(0.5), at(0.999)].map(Math.round)).toEqual([900, 1000, 1100])
  })

  it("'slot' steers toward its slot by at most intervalMs × jitter/2 an interval, and then holds it", () => {
    expect(SLOT_MS).toBe(100)
    // Slot 3 of 10 (300 ms into each second of the monitor's clock); 50 ms of room either way.
    expect(slot({ monitorWallMs: WALL + 300 })).toBe(1000) // on it: exactly one interval
    expect(slot({ monitorWallMs: WALL + 280 })).toBe(1020) // 20 ms early: 20 ms longer
    expect(slot({ monitorWallMs: WALL + 310 })).toBe(990) // 10 ms late: 10 ms shorter
    expect(slot({ monitorWallMs: WALL + 437 })).toBe(950) // 137 ms late: as short as allowed
    expect(slot({ monitorWallMs: WALL + 799 })).toBe(950) // 499 ms late: shorter is the near way
    expect(slot({ monitorWallMs: WALL + 801 })).toBe(1050) // 499 ms early: longer is
    // The slot is the beater's own draw, not the interval's.
    expect(slot({ monitorWallMs: WALL + 300, draw: 0.99 })).toBe(1000)
    // Fifty slots in 5000 ms: draw 0.5 is slot 25, 2500 ms in.
    expect(slot({ intervalMs: 5000, slotDraw: 0.5, monitorWallMs: WALL + 2400 })).toBe(5100)
  })

  it('reaches its slot within 1 / jitter beats from any phase, and stays there', () => {
    for (const start of [0, 1, 299, 301, 500, 799.5, 801, 999.9]) {
      let wall = WALL + start
      const landings: number[] = []
      for (let beat = 0; beat < 15; beat++) {
        wall += slot({ monitorWallMs: wall })
        landings.push(Math.round(((wall - WALL) % 1000) * 1000) / 1000)
      }
      expect(landings.slice(10)).toEqual([300, 300, 300, 300, 300])
    }
  })

  it('every delay is within intervalMs × [1 − jitter/2, 1 + jitter/2], in both phases', () => {
    for (const phase of ['slot', 'spread'] as const) {
      for (const jitter of [0, 0.1, 0.5, 1]) {
        for (let k = 0; k < 400; k++) {
          const intervalMs = 1 + ((k * 37.3) % 9000)
          const delay = nextBeatDelay({ phase, intervalMs, jitter, draw: (k * 0.381) % 1, slotDraw: (k * 0.618) % 1, monitorWallMs: WALL + k * 7919.7 })
          expect(delay).toBeGreaterThanOrEqual(intervalMs * (1 - jitter / 2) - 1e-6)
          expect(delay).toBeLessThanOrEqual(intervalMs * (1 + jitter / 2) + 1e-6)
        }
      }
    }
  })

  it('spreads where a slot cannot help: jitter 0 keeps the phase, under two slots and an unreadable clock spread', () => {
    expect(slot({ jitter: 0, monitorWallMs: WALL + 437 })).toBe(1000)
    // 150 ms is one slot: every beater would share one instant; spread instead, with the fresh draw.
    expect(slot({ intervalMs: 150, draw: 0, monitorWallMs: WALL + 10 })).toBe(142.5)
    expect(slot({ intervalMs: 150, draw: 0.999, monitorWallMs: WALL + 10 })).toBeCloseTo(157.49)
    expect(slot({ draw: 0.25, monitorWallMs: Number.NaN })).toBe(975)
  })
})

/** A monitor and one beater on a memory pair, each with its own fake clock, advanced together. */
function world(kind: 'connection' | 'datagram', options: { monitorAheadMs?: number; timeoutMs?: number } = {}) {
  const beaterClock = createFakeClock(0, { wallStartMs: WALL })
  const monitorClock = createFakeClock(0, { wallStartMs: WALL + (options.monitorAheadMs ?? 0) })
  const sent: { at: number; wall: number; type: string }[] = []
  const pair = createMemoryTransportPair({
    kind,
    tap(direction, bytes) {
      const decoded = decodeFrame(bytes, 4096)
      if (direction === 'to-server' && decoded.ok) sent.push({ at: beaterClock.now(), wall: monitorClock.wallNow(), type: decoded.frame.type })
    },
  })
  const monitor = createMonitor({ secret: SECRET, timeoutMs: options.timeoutMs ?? 6500, clock: monitorClock, transports: [pair.server] })
  // Both clocks a millisecond at a time, letting acks (delivered asynchronously) arrive every 10 ms.
  const advance = async (ms: number) => {
    for (let done = 0; done < ms; done++) {
      monitorClock.advance(1)
      beaterClock.advance(1)
      if (done % 10 === 9) await settle()
    }
    await settle()
  }
  const beats = () => sent.filter((f) => f.type === 'beat')
  const gaps = () => sent.slice(1).map((f, i) => f.at - sent[i]!.at)
  return { beaterClock, monitorClock, pair, monitor, sent, beats, gaps, advance }
}

describe('beater phase', () => {
  it("defaults to 'slot' on connection transports: steered onto its slot, then exactly one interval apart", async () => {
    const { beaterClock, pair, monitor, beats, gaps, advance } = world('connection')
    await monitor.start()
    await advance(437)
    const stop = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, clock: beaterClock, random: () => 0.35 }).start()
    await settle()
    await advance(15_000)
    for (const gap of gaps()) {
      expect(gap).toBeGreaterThanOrEqual(950)
      expect(gap).toBeLessThanOrEqual(1050)
    }
    // Hello at 437: 137 ms past slot 3, made up 50 ms a beat.
    expect(gaps().slice(0, 4)).toEqual([950, 950, 963, 1000])
    expect(beats().slice(3).map((f) => f.wall % 1000)).toEqual(Array(beats().length - 3).fill(300))
    await stop({ bye: false })
    await monitor.close()
  })

  it("defaults to 'spread' on datagram transports: each interval drawn with jitter", async () => {
    const { beaterClock, pair, monitor, sent, advance } = world('datagram')
    await monitor.start()
    await advance(437)
    const stop = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, jitter: 0.2, clock: beaterClock, random: () => 0.25 }).start()
    await settle()
    await advance(5000)
    // 1000 × (1 − 0.1 + 0.25 × 0.2) = 950 ms after the hello at 437, and so on.
    expect(sent.filter((f) => f.type === 'beat').map((f) => f.at)).toEqual([1387, 2337, 3287, 4237, 5187])
    await stop({ bye: false })
    await monitor.close()
  })

  it('draws its slot once: later draws only spread nothing', async () => {
    const { beaterClock, pair, monitor, beats, advance } = world('connection')
    await monitor.start()
    // The first draw (0.72: slot 7) is the slot; every later one differs.
    let n = 0
    const random = () => [0.72, 0.05, 0.93, 0.41][n++ % 4]!
    const stop = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, clock: beaterClock, random }).start()
    await settle()
    await advance(16_000)
    expect(beats().slice(-5).map((f) => f.wall % 1000)).toEqual([700, 700, 700, 700, 700])
    await stop({ bye: false })
    await monitor.close()
  })

  it("follows the monitor's clock, learned from its acks, and its pace, learned from its timeout", async () => {
    // The monitor's wall clock is 250 ms ahead of the beater's; its timeout 6500 ms sets a 1000 ms pace.
    const { beaterClock, pair, monitor, beats, advance } = world('connection', { monitorAheadMs: 250 })
    await monitor.start()
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, clock: beaterClock, random: () => 0.35 })
    const stop = beater.start()
    await settle()
    await advance(16_000)
    expect([beater.intervalMs, beater.clockOffsetMs]).toEqual([1000, 250])
    // Slot 3 of the monitor's clock: 300 ms past its second, 50 ms past the beater's.
    expect(beats().slice(-5).map((f) => f.wall % 1000)).toEqual([300, 300, 300, 300, 300])
    expect(beats().slice(-5).map((f) => f.at % 1000)).toEqual([50, 50, 50, 50, 50])
    await stop({ bye: false })
    await monitor.close()
  })

  it('never beats sooner than intervalMs × (1 − jitter/2) after a hello, so a slow ack is not taken for a missed one', async () => {
    for (const draw of [0.05, 0.5, 0.95]) {
      const { beaterClock, pair, monitor, sent, advance } = world('connection')
      await monitor.start()
      await advance(17)
      // Acks take 900 ms; one unanswered request would be server-lost (missedAcks 1).
      const transport = delayedInbound(pair.client, beaterClock, 900)
      const beater = createBeater({ id: 'c', secret: SECRET, transport, intervalMs: 1000, missedAcks: 1, clock: beaterClock, random: () => draw })
      const lost: number[] = []
      beater.on('server-lost', () => lost.push(beaterClock.now()))
      const stop = beater.start()
      await settle()
      await advance(949)
      expect(sent.filter((f) => f.type === 'beat')).toEqual([])
      await advance(3000)
      expect(sent.find((f) => f.type === 'beat')!.at - 17).toBeGreaterThanOrEqual(950)
      expect(lost).toEqual([])
      await stop({ bye: false })
      await monitor.close()
    }
  })

  it('a wall clock stepped back or forward never makes two beats in a row, nor a gap past the bound', async () => {
    const { beaterClock, pair, monitor, gaps, advance } = world('connection')
    await monitor.start()
    const stop = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, clock: beaterClock, random: () => 0.35 }).start()
    await settle()
    await advance(12_000)
    beaterClock.shiftWall(-480)
    await advance(3000)
    beaterClock.shiftWall(+730.5)
    await advance(12_000)
    expect(gaps().length).toBeGreaterThan(24)
    for (const gap of gaps()) {
      expect(gap).toBeGreaterThanOrEqual(950)
      expect(gap).toBeLessThanOrEqual(1050)
    }
    await stop({ bye: false })
    await monitor.close()
  })

  it('beaters of one slot beat together whenever they started; other slots apart', async () => {
    const clock = createFakeClock(0, { wallStartMs: WALL })
    const walls = new Map<string, number[]>()
    const pair = createMemoryTransportPair({
      tap(direction, bytes) {
        const decoded = decodeFrame(bytes, 4096)
        if (direction !== 'to-server' || !decoded.ok || decoded.frame.type !== 'beat') return
        const list = walls.get(decoded.frame.peerId) ?? []
        list.push(clock.wallNow())
        walls.set(decoded.frame.peerId, list)
      },
    })
    const monitor = createMonitor({ secret: SECRET, timeoutMs: 6500, clock, transports: [pair.server] })
    await monitor.start()
    const stops = []
    for (const [id, startAt, draw] of [['a', 0, 0.52], ['b', 333, 0.57], ['c', 1777, 0.55], ['d', 2010, 0.05]] as const) {
      clock.advance(startAt - clock.now())
      stops.push(createBeater({ id, secret: SECRET, transport: pair.createClient(), intervalMs: 1000, clock, random: () => draw }).start())
      await settle()
    }
    for (let step = 0; step < 1500; step++) {
      clock.advance(10)
      await settle()
    }
    const last = (id: string) => walls.get(id)!.slice(-3)
    // a, b and c drew slot 5 of 10: the same instants, however far apart they started; d slot 0.
    expect(last('a').map((w) => w % 1000)).toEqual([500, 500, 500])
    expect(last('b')).toEqual(last('a'))
    expect(last('c')).toEqual(last('a'))
    expect(last('d').map((w) => w % 1000)).toEqual([0, 0, 0])
    for (const stop of stops) await stop({ bye: false })
    await monitor.close()
  })

  it("a silent server is lost at (ackEvery + missedAcks) × intervalMs × (1 + jitter/2) at the latest, reached when every gap is steered longest", async () => {
    // Hello at 801 ms, slot 3 (300 ms): 499 ms early for it, so the beater lengthens every
    // interval by the most it may (50 ms) for its first nine beats.
    const { beaterClock, pair, monitor, gaps, advance } = world('connection')
    await monitor.start()
    await advance(801)
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, clock: beaterClock, random: () => 0.35 })
    const lost: number[] = []
    beater.on('server-lost', () => lost.push(beaterClock.now() - 801))
    const stop = beater.start()
    await settle()
    // The hello is answered; the server is silent from then on.
    pair.setPartitioned(true)
    await advance(6299)
    expect(lost).toEqual([])
    await advance(1)
    expect(lost).toEqual([(3 + 3) * 1000 * (1 + 0.1 / 2)])
    // Five beats 1050 ms apart; the sixth finds the third request unanswered (and the link is dropped instead).
    expect(gaps()).toEqual([1050, 1050, 1050, 1050, 1050])
    await stop({ bye: false })
    await monitor.close()
  })

  it('with jitter 0, exactly one interval apart, from wherever it started', async () => {
    const { beaterClock, pair, monitor, gaps, advance } = world('connection')
    await monitor.start()
    await advance(437)
    const stop = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, jitter: 0, clock: beaterClock, random: () => 0.35 }).start()
    await settle()
    await advance(5000)
    expect(gaps()).toEqual([1000, 1000, 1000, 1000, 1000])
    await stop({ bye: false })
    await monitor.close()
  })

  it("resolves the default by the transport's kind: 'slot' for connection, 'spread' for datagram and request", () => {
    const pair = createMemoryTransportPair()
    const phaseFor = (kind: ClientTransport['kind']) => resolveBeaterOptions({ id: 'c', secret: SECRET, transport: { ...pair.client, kind } }).phase
    expect([phaseFor('connection'), phaseFor('datagram'), phaseFor('request')]).toEqual(['slot', 'spread', 'spread'])
    expect(resolveBeaterOptions({ id: 'c', secret: SECRET, transport: pair.client, phase: 'spread' }).phase).toBe('spread')
  })

  it("rejects a phase that is neither 'slot' nor 'spread'", () => {
    const pair = createMemoryTransportPair()
    const make = () => createBeater({ id: 'c', secret: SECRET, transport: pair.client, phase: 'aligned' as never })
    expect(make).toThrow(HeartbeatError)
    expect(make).toThrow(/phase must be 'slot' or 'spread'/)
  })
})
