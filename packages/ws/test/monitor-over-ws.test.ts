import { afterEach, describe, expect, it } from 'vitest'
import { createBeater, fixedTimeout } from '@hb/core'
import { decodeFrame } from '@hb/core/protocol'
import type { FrameEncoding } from '@hb/core/adapter'
import { createWsClient, createWsServer } from '../src/index.js'
import { createWaiter, prng, rawWs, SECRET, signedFrame, startMonitor } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

async function monitorOnWs(options: Parameters<typeof startMonitor>[1] = {}) {
  const server = createWsServer({ host: '127.0.0.1', port: 0, path: '/hb' })
  const started = await startMonitor(server, options)
  cleanup.push(() => started.monitor.close())
  const url = server.address()?.url
  if (url === undefined) throw new Error('no url')
  return { ...started, url }
}

function beat(id: string, url: string, encoding: FrameEncoding = 'binary') {
  const beater = createBeater({ id, secret: SECRET, transport: createWsClient({ url, encoding }), intervalMs: 50 })
  const stop = beater.start()
  cleanup.push(() => stop({ bye: false }))
  return { beater, stop }
}

async function raw(url: string) {
  const client = await rawWs(url)
  cleanup.push(() => client.socket.terminate())
  return client
}

describe('a monitor over WebSocket', () => {
  it('sees a beater online, and offline by timeout once it stops silently', async () => {
    const m = await monitorOnWs()
    const { stop } = beat('quiet', m.url)
    await m.until(() => m.events.includes('online quiet'), 'online')
    expect(m.monitor.get('quiet')?.transport).toBe('ws')
    await stop({ bye: false })
    // Its link went down first (suspect, by default); the deadline then takes it offline.
    await m.until(() => m.events.includes('offline quiet timeout'), 'offline by timeout')
  })

  it('pings a suspect peer and terminates a stalled one when it is declared dead, keeping the live one', async () => {
    const m = await monitorOnWs({ detector: fixedTimeout({ timeoutMs: 300, suspectAfterMs: 150 }) })
    beat('live', m.url)
    // Beats once, then stays connected and silent (a hung tab, a frozen process).
    const stalled = await raw(m.url)
    stalled.socket.send(signedFrame('stalled'))
    await stalled.until(() => stalled.messages.length === 1, 'the ack of the hello')
    await m.until(() => m.events.includes('suspect stalled'), 'suspect')
    await stalled.until(() => stalled.pings() > 0, 'a ping to the suspect peer')
    await m.until(() => m.events.includes('offline stalled timeout'), 'offline')
    await stalled.untilClosed('the server terminating the stalled connection')
    // terminate(): no closing handshake, so the client sees an abnormal closure.
    expect(stalled.closeCode()).toBe(1006)
    expect(m.events).toContain('online live')
    expect(m.events.filter((e) => e.startsWith('offline live'))).toEqual([])
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('accepts JSON frames in text messages and answers them as text', async () => {
    const m = await monitorOnWs()
    const client = await raw(m.url)
    client.socket.send(new TextDecoder().decode(signedFrame('texter', 'json')))
    await client.until(() => client.messages.length === 1, 'the ack')
    const ack = client.messages[0]
    expect(ack?.binary).toBe(false)
    expect(JSON.parse(ack?.data.toString() ?? '')).toMatchObject({ type: 'ack', id: 'texter' })
    await m.until(() => m.events.includes('online texter'), 'online')

    // The same over a binary message: answered as binary.
    client.socket.send(signedFrame('texter', 'binary', { type: 'beat', seq: 1, intervalMs: undefined }))
    await client.until(() => client.messages.length === 2, 'the binary ack')
    expect(client.messages[1]?.binary).toBe(true)
    const decoded = decodeFrame(Uint8Array.from(client.messages[1]?.data ?? []), 2048)
    expect(decoded).toMatchObject({ ok: true, frame: { type: 'ack', peerId: 'texter', seq: 1 } })
  })

  it('carries a beater that speaks JSON', async () => {
    const m = await monitorOnWs()
    const { beater } = beat('json-peer', m.url, 'json')
    const acks = createWaiter()
    let acked = 0
    beater.on('ack', () => (acked++, acks.notify()))
    await m.until(() => m.events.includes('online json-peer'), 'online')
    await acks.until(() => acked >= 2, 'two acks')
  })

  it('rejects garbage messages without crashing, and keeps serving', async () => {
    const m = await monitorOnWs({ helloTimeoutMs: 60_000 })
    const { beater } = beat('live', m.url)
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
    const acks = createWaiter()
    let acked = 0
    beater.on('ack', () => (acked++, acks.notify()))
    await acks.until(() => acked >= 3, 'three more acks after the attack')
    expect(m.monitor.get('live')?.state).toBe('alive')
  })

  it('closes a connection that sends no valid frame within helloTimeoutMs', async () => {
    const m = await monitorOnWs({ helloTimeoutMs: 200 })
    const silent = await raw(m.url)
    await silent.untilClosed('the hello deadline closing the connection')
    expect(silent.closeCode()).toBe(1006)
  })
})
