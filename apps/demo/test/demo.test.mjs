import { createFakeClock, settle } from '@hb/core/testing'
import { describe, expect, it } from 'vitest'
import { createClientTransport } from '../src/clients.mjs'
import { createDemo, timeoutMs } from '../src/demo.mjs'
import { createServers } from '../src/servers.mjs'
import { createSocketMeter } from './socket-meter.mjs'

// The demo's story, on a fake clock over real loopback sockets: time moves only when
// every frame, ack and dropped connection has arrived (socket-meter.mjs), so the events
// are exactly the ones the story promises, at the instants it promises them, on any
// machine. No wall-clock waits: real time only bounds each wait for the sockets.
const stepMs = 10
const tickMs = timeoutMs / 20 // the monitor's default wheel tick for this timeout

async function runStory() {
  const clock = createFakeClock()
  const meter = createSocketMeter()
  const lines = []
  const demo = createDemo({
    clock,
    random: () => 0.5, // spread beats exactly every intervalMs; slotted ones (TCP, WS) steer onto the middle slot
    print: (line) => lines.push(line),
    servers: meter.servers(createServers()),
    createTransport: meter.clients(createClientTransport),
  })
  const events = []
  for (const type of ['online', 'suspect', 'recover', 'misconfigured']) {
    demo.monitor.on(type, (peer) => events.push({ type, id: peer.id, atMs: clock.now() }))
  }
  demo.monitor.on('offline', (peer, reason) =>
    events.push({ type: 'offline', id: peer.id, reason, atMs: clock.now(), silentMs: clock.now() - peer.lastSeenMonotonicMs }),
  )
  demo.monitor.on('rejected', (info) => events.push({ type: 'rejected', id: info.peerId, reason: info.reason }))

  let finished = false
  const story = demo.run().finally(() => (finished = true))
  // The story lasts under 6 s of demo time; the bound only stops a broken demo.
  for (let step = 0; !finished && step < 10_000 / stepMs; step++) {
    await settle()
    await meter.settled()
    if (!finished) clock.advance(stepMs)
  }
  await story
  return { clock, meter, lines, events, monitor: demo.monitor }
}

/** `offline  udp-worker     reason: left` → its stamp, `1.20 s`. */
const stampOf = (lines, pattern) => {
  const found = lines.filter((line) => pattern.test(line))
  expect(found).toHaveLength(1)
  return found[0].slice(0, 8)
}

describe('demo', () => {
  it('tells its story exactly, on a fake clock over real sockets', async () => {
    const { clock, meter, lines, events, monitor } = await runStory()

    const byPeer = {}
    for (const { id, type, reason } of events) (byPeer[id] ??= []).push(reason === undefined ? type : `${type} ${reason}`)
    expect(byPeer).toEqual({
      'udp-sensor': ['online', 'offline timeout', 'online', 'offline left'],
      'udp-worker': ['online', 'offline left'],
      'tcp-sensor': ['online', 'offline left'],
      'tcp-worker': ['online', 'suspect', 'offline timeout'],
      'ws-sensor': ['online', 'offline left'],
      'ws-worker': ['online', 'suspect', 'offline timeout'],
      'http-sensor': ['online', 'offline left'],
      'http-worker': ['online', 'offline left'],
    })

    // Every client is online at its first beat, before time moves.
    expect(events.filter((e) => e.type === 'online').map((e) => e.atMs)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 3500])
    // The crashed ones: offline no earlier than the timeout after their last beat, at most a tick later.
    for (const event of events.filter((e) => e.reason === 'timeout')) {
      expect(event.silentMs).toBeGreaterThanOrEqual(timeoutMs)
      expect(event.silentMs).toBeLessThan(timeoutMs + tickMs)
    }
    // TCP and WS crashes are seen at once, as dropped links: suspect the instant they crash.
    const crashedAt = events.find((e) => e.type === 'suspect').atMs
    expect(events.filter((e) => e.type === 'suspect').map((e) => e.atMs)).toEqual([crashedAt, crashedAt])
    expect(crashedAt).toBe(1500)
    // A bye is offline at once: the same instant the timeline says the client left.
    expect(stampOf(lines, /offline +udp-worker +reason: left/)).toBe(stampOf(lines, /udp-worker and http-worker leave/))
    expect(stampOf(lines, /offline +http-worker +reason: left/)).toBe('  1.20 s')

    // The timeline printed the same story, and the peers tables show measured RTTs.
    expect(lines.filter((line) => /^ +\d+\.\d\d s {2}(online|offline|suspect|recover|rejected) /.test(line))).toHaveLength(events.length)
    expect(lines.filter((line) => /^ +udp-sensor +alive +udp +rtt \d+ ms$/.test(line))).toHaveLength(2)
    expect(lines.at(-1)).toBe(`  4.70 s  ── done: ${meter.delivered} frames accepted, every socket and timer released`)
    expect(monitor.stats().accepted).toBe(meter.delivered)
    expect(clock.pending()).toBe(0)
  })
})
