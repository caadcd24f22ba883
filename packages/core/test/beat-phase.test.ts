import { describe, expect, it } from 'vitest'
import { nextBeatDelay, SLOT_MS } from '../src/beater/beat-phase.js'
import { resolveBeaterOptions } from '../src/beater/beater-options.js'
import { createBeater, createMonitor, HeartbeatError } from '../src/index.js'
import type { ClientTransport } from '../src/index.js'
import { decodeFrame } from '../src/protocol.js'
import { createFakeClock, createMemoryTransportPair, settle } from '../src/testing/index.js'
import { SECRET } from './helpers.js'

const WALL = 1_700_000_000_000

describe('nextBeatDelay', () => {
  it("'spread' draws the interval from intervalMs × [1 − jitter/2, 1 + jitter/2]", () => {
    const at = (draw: number) => nextBeatDelay({ phase: 'spread', intervalMs: 1000, jitter: 0.2, draw, monitorWallMs: WALL + 123 })
    expect([at(0), at(0.5), at(0.999)].map(Math.round)).toEqual([900, 1000, 1100])
  })

  it("'slot' cuts the interval into ~SLOT_MS slots and lands on the draw's slot of the monitor's clock", () => {
    expect(SLOT_MS).toBe(100)
    const landing = (intervalMs: number, draw: number, wall: number) => {
      const delay = nextBeatDelay({ phase: 'slot', intervalMs, jitter: 0.1, draw, monitorWallMs: wall })
      return (wall + delay) % intervalMs
    }
    // 1000 ms: ten slots of 100 ms.
    expect([0, 0.1, 0.35, 0.95].map((draw) => landing(1000, draw, WALL + 437))).toEqual([0, 100, 300, 900])
    // 5000 ms (the pace of a 32.5 s timeout): fifty slots.
    expect(landing(5000, 0.5, WALL + 1)).toBe(2500)
    // Shorter than two slots: one slot, the interval's start.
    expect([0, 0.7].map((draw) => landing(150, draw, WALL + 77))).toEqual([0, 0])
  })

  it("'slot' never waits more than intervalMs × (1 + jitter/2), nor less than intervalMs × jitter/2", () => {
    for (const jitter of [0, 0.1, 0.5]) {
      for (let k = 0; k < 500; k++) {
        const intervalMs = 100 + ((k * 37) % 4900)
        const draw = ((k * 0.618) % 1) as number
        const wall = WALL + k * 7919
        const delay = nextBeatDelay({ phase: 'slot', intervalMs, jitter, draw, monitorWallMs: wall })
        expect(delay).toBeGreaterThan((intervalMs * jitter) / 2)
        expect(delay).toBeLessThanOrEqual(intervalMs * (1 + jitter / 2))
      }
    }
  })

  it("'slot' skips a slot too close to now for the next one", () => {
    // The slot starts 30 ms from now, under 1000 × 0.1 / 2 = 50 ms: the one an interval later.
    expect(nextBeatDelay({ phase: 'slot', intervalMs: 1000, jitter: 0.1, draw: 0.3, monitorWallMs: WALL + 270 })).toBe(1030)
    expect(nextBeatDelay({ phase: 'slot', intervalMs: 1000, jitter: 0.1, draw: 0.3, monitorWallMs: WALL + 230 })).toBe(70)
  })
})

/** A monitor and one beater on a memory pair, each with its own fake clock, advanced together. */
function world(kind: 'connection' | 'datagram', monitorAheadMs = 0) {
  const beaterClock = createFakeClock(0, { wallStartMs: WALL })
  const monitorClock = createFakeClock(0, { wallStartMs: WALL + monitorAheadMs })
  const sent: { at: number; wall: number; type: string }[] = []
  const pair = createMemoryTransportPair({
    kind,
    tap(direction, bytes) {
      const decoded = decodeFrame(bytes, 4096)
      if (direction === 'to-server' && decoded.ok) sent.push({ at: beaterClock.now(), wall: monitorClock.wallNow(), type: decoded.frame.type })
    },
  })
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 6500, clock: monitorClock, transports: [pair.server] })
  // Both clocks a millisecond at a time, letting acks (delivered asynchronously) arrive every 10 ms.
  const advance = async (ms: number) => {
    for (let done = 0; done < ms; done++) {
      monitorClock.advance(1)
      beaterClock.advance(1)
      if (done % 10 === 9) await settle()
    }
    await settle()
  }
  return { beaterClock, monitorClock, pair, monitor, sent, advance }
}

function beatWalls(sent: { wall: number; type: string }[]): number[] {
  return sent.filter((f) => f.type === 'beat').map((f) => f.wall)
}

describe('beater phase', () => {
  it("defaults to 'slot' on connection transports: beats on the slot's grid, exactly one interval apart", async () => {
    const { beaterClock, pair, monitor, sent, advance } = world('connection')
    await monitor.start()
    await advance(437)
    const stop = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, clock: beaterClock, random: () => 0.35 }).start()
    await settle()
    await advance(5000)
    const walls = beatWalls(sent)
    expect(walls.length).toBe(5)
    expect(walls.map((w) => w % 1000)).toEqual([300, 300, 300, 300, 300])
    expect(walls.slice(1).map((w, i) => w - walls[i]!)).toEqual([1000, 1000, 1000, 1000])
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
    for (let step = 0; step < 500; step++) {
      clock.advance(10)
      await settle()
    }
    const from = (id: string) => walls.get(id)!.filter((w) => w >= WALL + 3000)
    // a, b and c drew slot 5 of 10: the same instants, however far apart they started.
    expect(from('a')).toEqual([WALL + 3500, WALL + 4500, WALL + 5500, WALL + 6500])
    expect(from('b')).toEqual(from('a'))
    expect(from('c')).toEqual(from('a'))
    expect(from('d')).toEqual([WALL + 3000, WALL + 4000, WALL + 5000, WALL + 6000, WALL + 7000])
    for (const stop of stops) await stop({ bye: false })
    await monitor.close()
  })

  it("follows the monitor's clock, learned from its acks, not its own", async () => {
    // The monitor's wall clock is 250 ms ahead of the beater's.
    const { beaterClock, pair, monitor, sent, advance } = world('connection', 250)
    await monitor.start()
    const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, clock: beaterClock, random: () => 0.35, ackEvery: 1 })
    const stop = beater.start()
    await settle()
    await advance(4000)
    expect(beater.clockOffsetMs).toBe(250)
    // Slot 3 of the monitor's clock: 300 ms past its second, 50 ms past the beater's. (The hello's ack came
    // back before the first beat was planned; the slot 50 ms after the hello was too close: the next one.)
    expect(sent.filter((f) => f.type === 'beat').map((f) => f.at)).toEqual([1050, 2050, 3050])
    expect(beatWalls(sent).map((w) => w % 1000)).toEqual([300, 300, 300])
    await stop({ bye: false })
    await monitor.close()
  })

  it("a server that goes silent is lost within (ackEvery + missedAcks) × intervalMs × (1 + jitter/2) in 'slot' phase too", async () => {
    for (const draw of [0, 0.049, 0.3, 0.999]) {
      for (const startAt of [0, 17, 460, 999]) {
        const { beaterClock, pair, monitor, sent, advance } = world('connection')
        await monitor.start()
        await advance(startAt)
        const beater = createBeater({ id: 'c', secret: SECRET, transport: pair.client, intervalMs: 1000, clock: beaterClock, random: () => draw })
        const lost: number[] = []
        beater.on('server-lost', () => lost.push(beaterClock.now()))
        const stop = beater.start()
        await settle()
        // The hello is answered; the server is silent from then on.
        pair.setPartitioned(true)
        await advance(6300)
        expect(lost.length).toBe(1)
        const afterDeath = lost[0]! - startAt
        expect(afterDeath).toBeLessThanOrEqual((3 + 3) * 1000 * (1 + 0.1 / 2))
        // At the 6th beat after the hello: the first slot, then five intervals.
        const beats = sent.filter((f) => f.type === 'beat').map((f) => f.at)
        expect(lost[0]).toBe(beats[0]! + 5000)
        await stop({ bye: false })
        await monitor.close()
      }
    }
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
