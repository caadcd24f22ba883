import { describe, expect, it } from 'vitest'
import { phiAccrual } from '../src/index.js'
import { setup } from './helpers.js'

const tail = (events: string[]) => events.map((e) => e.split(' ').slice(1).join(' '))

describe('monitor: bye, recovery, hysteresis, link-down, guard, forgetting', () => {
  it('bye takes a peer offline at once with reason left; a later bye is ignored', async () => {
    const s = setup()
    await s.monitor.start()
    s.beat('p1')
    s.clock.advance(100)
    expect(s.pair.inject(s.frame({ type: 'bye' }))?.accepted).toBe(true)
    expect(s.events).toEqual(['0 online p1', '100 offline p1 left'])
    expect(s.monitor.get('p1')?.state).toBe('left')
    s.pair.inject(s.frame({ type: 'bye' }))
    s.clock.advance(5000)
    expect(s.events).toHaveLength(2)
    await s.monitor.close()
  })

  it('a dead peer comes back after riseBeats beats in a row; a stall resets the count', async () => {
    const s = setup({ riseBeats: 3 })
    await s.monitor.start()
    s.beat()
    s.clock.advance(1100)
    expect(tail(s.events)).toEqual(['online p1', 'offline p1 timeout'])
    s.beat()
    s.beat()
    s.clock.advance(1100) // the comeback stalls: count resets
    s.beat()
    s.beat()
    expect(tail(s.events)).toHaveLength(2)
    s.beat()
    expect(tail(s.events)).toEqual(['online p1', 'offline p1 timeout', 'online p1'])
    await s.monitor.close()
  })

  it('flapping is visible: every transition is an event', async () => {
    const s = setup()
    await s.monitor.start()
    for (let i = 0; i < 3; i++) {
      s.beat()
      s.clock.advance(1100)
    }
    expect(tail(s.events)).toEqual(['online p1', 'offline p1 timeout', 'online p1', 'offline p1 timeout', 'online p1', 'offline p1 timeout'])
    await s.monitor.close()
  })

  it('a deadline that passes while a batch of frames is read waits for the whole batch (no flap)', async () => {
    const s = setup()
    await s.monitor.start()
    s.beat('a')
    s.beat('b')
    s.clock.advance(900)
    s.beat('b')
    // One event-loop iteration reads [b, a] at 1010, after a's deadline (1000) passed: a's
    // beat may have been waiting in the socket buffer since before it. Deadlines are only
    // checked from the wheel's timer, after the iteration's I/O, so a is not convicted.
    s.clock.stall(110)
    s.beat('b')
    s.beat('a')
    s.clock.advance(0)
    expect(s.events).toEqual(['0 online a', '0 online b'])
    await s.monitor.close()
  })

  it('local-health guard: a blocked loop does not convict peers for the time it could not hear', async () => {
    const s = setup()
    await s.monitor.start()
    s.beat('a')
    s.clock.stall(5000) // the event loop was blocked for 5 s
    s.clock.advance(0) // the overdue tick runs, 4 s late
    expect(tail(s.events)).toEqual(['online a'])
    expect(s.monitor.stats().guarded).toBe(1)
    s.beat('a') // the beat that was waiting in the socket buffer
    s.clock.advance(999)
    expect(tail(s.events)).toEqual(['online a'])
    s.clock.advance(51)
    expect(tail(s.events)).toEqual(['online a', 'offline a timeout'])
    await s.monitor.close()
  })

  it('local-health guard: a peer that stays silent is still convicted after the grace', async () => {
    const s = setup()
    await s.monitor.start()
    s.beat('a')
    s.clock.stall(3000)
    s.clock.advance(0)
    expect(tail(s.events)).toEqual(['online a'])
    s.clock.advance(1050)
    expect(tail(s.events)).toEqual(['online a', 'offline a timeout'])
    await s.monitor.close()
  })

  it('forgets a dead peer after forgetAfterMs, never before 2 × skew', async () => {
    const s = setup({ skewMs: 1000, forgetAfterMs: 500 })
    await s.monitor.start()
    s.beat('a')
    s.clock.advance(1100)
    expect(s.monitor.get('a')?.state).toBe('dead')
    s.clock.advance(800) // 1900 ms after the last frame: 2 × skew is 2000
    expect(s.monitor.size).toBe(1)
    s.clock.advance(200)
    expect(s.monitor.size).toBe(0)
    await s.monitor.close()
    expect(s.clock.pending()).toBe(0)
  })

  it('link-down makes a live peer suspect at once; its link is closed when it is declared dead', async () => {
    const s = setup({}, { kind: 'connection' })
    await s.monitor.start()
    const client = s.pair.createClient()
    let clientLinkDowns = 0
    await client.connect({ onFrame: () => {}, onLinkDown: () => clientLinkDowns++ }, { maxFrameBytes: 2048 })
    await client.send(s.frame({ peerId: 'tcp-like' }))
    await client.close()
    expect(tail(s.events)).toEqual(['online tcp-like', 'suspect tcp-like'])
    s.clock.advance(1050)
    expect(tail(s.events)).toEqual(['online tcp-like', 'suspect tcp-like', 'offline tcp-like timeout'])

    const other = s.pair.createClient()
    await other.connect({ onFrame: () => {}, onLinkDown: () => clientLinkDowns++ }, { maxFrameBytes: 2048 })
    await other.send(s.frame({ peerId: 'silent' }))
    s.clock.advance(1050)
    expect(clientLinkDowns).toBe(1) // the dead peer's connection was closed by the server
    expect(other.connected).toBe(false)
    await s.monitor.close()
  })

  it('closes a connection that sends no valid frame within helloTimeoutMs', async () => {
    const s = setup({ helloTimeoutMs: 500 }, { kind: 'connection' })
    await s.monitor.start()
    const client = s.pair.createClient()
    await client.connect({ onFrame: () => {}, onLinkDown: () => {} }, { maxFrameBytes: 2048 })
    s.clock.advance(499)
    expect(client.connected).toBe(true)
    s.clock.advance(100)
    expect(client.connected).toBe(false)
    await s.monitor.close()
    expect(s.clock.pending()).toBe(0)
  })

  it('phi accrual end to end: steady peers stay, a silent one is convicted near its learned rhythm', async () => {
    const s = setup({ detector: phiAccrual({ threshold: 8, firstIntervalMs: 100, minStdDevMs: 10, acceptablePauseMs: 0 }), tickMs: 10 })
    await s.monitor.start()
    for (let i = 0; i < 50; i++) {
      s.beat('steady')
      s.clock.advance(100)
    }
    expect(tail(s.events)).toEqual(['online steady'])
    const lastBeat = s.clock.now()
    s.beat('steady')
    s.clock.advance(5000)
    // suspect at φ = threshold / 2 (the default suspectThreshold), offline at φ = threshold
    expect(tail(s.events)).toEqual(['online steady', 'suspect steady', 'offline steady timeout'])
    const suspectAt = Number((s.events[1] as string).split(' ')[0])
    const firedAt = Number((s.events[2] as string).split(' ')[0])
    expect(suspectAt).toBeGreaterThan(lastBeat + 100)
    expect(suspectAt).toBeLessThan(firedAt)
    expect(firedAt).toBeGreaterThan(lastBeat + 100)
    expect(firedAt).toBeLessThan(lastBeat + 1000)
    await s.monitor.close()
  })

  it('events as an async iterator, ended by close()', async () => {
    const s = setup()
    await s.monitor.start()
    const seen: string[] = []
    const reading = (async () => {
      for await (const event of s.monitor.events()) seen.push(event.type)
    })()
    s.beat('a')
    s.clock.advance(1100)
    await s.monitor.close()
    await reading
    expect(seen).toEqual(['online', 'offline'])
  })
})
