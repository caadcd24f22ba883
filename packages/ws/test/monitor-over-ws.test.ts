/**
 * A monitor and beaters on one fake clock over real loopback WebSockets:
 * every deadline is crossed by `clock.advance()`, so each test checks the
 * exact millisecond a connection is pinged or closed, and none waits for
 * real time to pass.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { fixedTimeout } from '@hb/core'
import type { MonitorOptions } from '@hb/core'
import { decodeFrame } from '@hb/core/protocol'
import { createWsServer } from '../src/index.js'
import { createTestbed, INTERVAL_MS, prng, rawWs, signedFrame, watchLinks } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const TIMEOUT_MS = 3000
const TICK_MS = 100

async function setup(options: Partial<MonitorOptions> = {}) {
  const bed = createTestbed()
  cleanup.push(() => bed.close())
  const watched = watchLinks(createWsServer({ host: '127.0.0.1', port: 0, path: '/hb' }))
  // A detector carries its own timeout: TIMEOUT_MS only without one.
  const timing = options.detector === undefined ? { timeoutMs: TIMEOUT_MS } : {}
  const m = await bed.startMonitor(watched.transport, { ...timing, tickMs: TICK_MS, ...options })
  return { bed, m, linksDown: watched.down, linksUp: watched.up, untilLinks: watched.until }
}

async function raw(url: string) {
  const client = await rawWs(url)
  cleanup.push(() => client.socket.terminate())
  return client
}

const offlines = (events: readonly string[]): string[] => events.filter((e) => e.startsWith('offline'))

describe('a monitor over WebSocket (fake clock, real sockets)', () => {
  it('sees a beater online, and offline by timeout at its deadline once it stops silently', async () => {
    const { bed, m } = await setup()
    const { stop } = bed.beat('quiet', m.url)
    await m.until(() => m.events.includes('online quiet'), 'online')
    await bed.untilAcked('the hello')
    expect(m.monitor.get('quiet')?.transport).toBe('ws')
    await stop()
    // Its link went down first (suspect, by default); the deadline then takes it offline.
    await m.until(() => m.events.includes('suspect quiet'), 'suspect on link-down')
    await bed.advance(TIMEOUT_MS - 1)
    expect(offlines(m.events)).toEqual([])
    await bed.advance(1 + TICK_MS)
    expect(offlines(m.events)).toEqual(['offline quiet timeout'])
  })

  it('pings a suspect peer, and terminates a stalled one at its deadline, keeping the live one', async () => {
    const suspectAfterMs = 1500
    const { bed, m, linksDown } = await setup({ detector: fixedTimeout({ timeoutMs: TIMEOUT_MS, suspectAfterMs }) })
    bed.beat('live', m.url)
    // Beats once at 0 ms, then stays connected and silent (a hung tab, a frozen process).
    const stalled = await raw(m.url)
    stalled.socket.send(signedFrame('stalled', bed.clock))
    await stalled.until(() => stalled.messages.length === 1, 'the ack of the hello')
    await m.until(() => m.events.includes('online live') && m.events.includes('online stalled'), 'both online')
    await bed.untilAcked('the hello of live')

    await bed.advance(suspectAfterMs - 1)
    expect(m.events).not.toContain('suspect stalled')
    await bed.advance(1 + TICK_MS)
    expect(m.events).toContain('suspect stalled')
    await stalled.until(() => stalled.pings() === 1, 'a ping to the suspect peer')

    await bed.advance(TIMEOUT_MS - suspectAfterMs - TICK_MS - 1)
    expect(offlines(m.events)).toEqual([])
    expect(linksDown).toEqual([])
    await bed.advance(1 + TICK_MS)
    expect(offlines(m.events)).toEqual(['offline stalled timeout'])
    expect(linksDown).toHaveLength(1)
    await stalled.untilClosed('the server terminating the stalled connection')
    // terminate(): no closing handshake, so the client sees an abnormal closure.
    expect(stalled.closeCode()).toBe(1006)
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('closes a connection that sends no valid frame within helloTimeoutMs, at that deadline', async () => {
    const helloTimeoutMs = 2000
    const { bed, m, linksDown, linksUp, untilLinks } = await setup({ helloTimeoutMs })
    const silent = await raw(m.url)
    await untilLinks(() => linksUp.length === 1, 'link-up')
    bed.clock.advance(helloTimeoutMs - 1)
    expect(linksDown).toEqual([])
    bed.clock.advance(1 + TICK_MS)
    expect(linksDown).toHaveLength(1)
    await silent.untilClosed('the hello deadline closing the connection')
    expect(silent.closeCode()).toBe(1006)
  })

  it('accepts JSON frames in text messages and answers them as text; binary as binary', async () => {
    const { bed, m } = await setup()
    const client = await raw(m.url)
    client.socket.send(new TextDecoder().decode(signedFrame('texter', bed.clock, 'json')))
    await client.until(() => client.messages.length === 1, 'the ack')
    const ack = client.messages[0]
    expect(ack?.binary).toBe(false)
    expect(JSON.parse(ack?.data.toString() ?? '')).toMatchObject({ type: 'ack', id: 'texter' })
    await m.until(() => m.events.includes('online texter'), 'online')

    client.socket.send(signedFrame('texter', bed.clock, 'binary', { type: 'beat', seq: 1, intervalMs: undefined, ackRequested: true }))
    await client.until(() => client.messages.length === 2, 'the binary ack')
    expect(client.messages[1]?.binary).toBe(true)
    const decoded = decodeFrame(Uint8Array.from(client.messages[1]?.data ?? []), 2048)
    expect(decoded).toMatchObject({ ok: true, frame: { type: 'ack', peerId: 'texter', seq: 1 } })
  })

  it('carries a beater that speaks JSON, beat after beat', async () => {
    const { bed, m } = await setup()
    const { beater } = bed.beat('json-peer', m.url, { encoding: 'json' })
    await m.until(() => m.events.includes('online json-peer'), 'online')
    await bed.untilAcked('the hello')
    await bed.advance(3 * INTERVAL_MS)
    expect(beater.stats().sent).toBe(4)
    expect(beater.stats().acked).toBe(4)
    expect(m.monitor.get('json-peer')?.state).toBe('alive')
  })

  it('rejects garbage messages without crashing or closing, and keeps serving', async () => {
    const { bed, m } = await setup({ helloTimeoutMs: 60_000 })
    bed.beat('live', m.url)
    await m.until(() => m.events.includes('online live'), 'online')
    const random = prng(11)
    const attackers = await Promise.all(Array.from({ length: 5 }, () => raw(m.url)))
    for (const attacker of attackers) {
      for (let i = 0; i < 10; i++) {
        attacker.socket.send(Uint8Array.from({ length: 1 + Math.floor(random() * 1000) }, () => Math.floor(random() * 256)))
      }
      attacker.socket.send('{"v":1,"type":"beat"}')
      attacker.socket.send('not json at all')
    }
    await m.until(() => m.events.filter((e) => e === 'rejected malformed').length === 60, '60 malformed rejections')
    expect(attackers.some((a) => a.closeCode() !== undefined)).toBe(false)
    await bed.advance(3 * INTERVAL_MS)
    expect(m.monitor.get('live')?.state).toBe('alive')
    expect(offlines(m.events)).toEqual([])
  })
})
