/**
 * Replays that hb rejects today, on every transport: a captured frame sent
 * again inside the freshness window, and after the peer went offline.
 * (Replays across a monitor restart are in fixed-replay-after-restart.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest'
import { captureFrames } from './support/frames.js'
import { createCleanup } from './support/monitor-harness.js'
import { rawTransports, startAllTransports } from './support/raw-transports.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

describe.each(rawTransports)('replay over %s', (transport) => {
  it('a captured beat sent again is rejected as a replay, and the peer stays as it was', async () => {
    const all = await startAllTransports({ timeoutMs: 60_000 })
    cleanup.add(() => all.close())
    const [hello, beat] = await captureFrames(`replay-${transport}`, 1)
    await all.send(transport, hello!)
    await all.send(transport, beat!)
    await all.waiter.until(() => all.monitor.get(`replay-${transport}`) !== undefined, 5000, 'the peer known')
    for (let i = 0; i < 3; i++) await all.send(transport, beat!)
    await all.waiter.until(() => all.rejectedCount('replay') === 3, 5000, 'three replay rejections')
    expect(all.rejected.every((info) => info.reason === 'replay' && info.peerId === `replay-${transport}`)).toBe(true)
    expect(all.online).toEqual([`replay-${transport}`])
  })

  it('the last frame of a peer that went offline does not bring it back', async () => {
    const all = await startAllTransports({ timeoutMs: 300, tickMs: 10 })
    cleanup.add(() => all.close())
    const id = `offline-${transport}`
    const [hello, beat] = await captureFrames(id, 1)
    await all.send(transport, hello!)
    await all.send(transport, beat!)
    await all.waiter.until(() => all.offline.some((event) => event.id === id), 5000, 'the peer offline')
    await all.send(transport, beat!)
    await all.send(transport, hello!)
    await all.waiter.until(() => all.rejected.length === 2, 5000, 'both replays rejected')
    expect(all.online).toEqual([id])
    expect(all.monitor.get(id)?.state).toBe('dead')
  })
})
