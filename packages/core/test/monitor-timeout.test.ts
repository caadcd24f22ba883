import { describe, expect, it } from 'vitest'
import { setup } from './helpers.js'

describe('monitor: offline at the deadline, never before, at most one tick after', () => {
  // timeoutMs 1000, tickMs 50 (the default for 1000: timeoutMs / 20).
  it.each([0, 1, 7, 49, 50, 51, 333])('last beat at %i ms', async (lastBeatAt) => {
    const { clock, monitor, events, beat } = setup()
    await monitor.start()
    clock.advance(lastBeatAt)
    expect(beat()?.accepted).toBe(true)
    clock.advance(999)
    expect(events).toEqual([`${lastBeatAt} online p1`])
    expect(monitor.get('p1')?.state).toBe('alive')
    clock.advance(1)
    clock.advance(50)
    expect(events).toHaveLength(2)
    const [time, what] = (events[1] as string).split(' ')
    const firedAt = Number(time)
    expect(what).toBe('offline')
    expect(events[1]).toMatch(/offline p1 timeout$/)
    expect(firedAt).toBeGreaterThanOrEqual(lastBeatAt + 1000)
    expect(firedAt).toBeLessThanOrEqual(lastBeatAt + 1000 + 50)
    expect(monitor.get('p1')?.state).toBe('dead')
    await monitor.close()
    expect(clock.pending()).toBe(0)
  })

  it('every beat pushes the deadline back', async () => {
    const { clock, monitor, events, beat } = setup()
    await monitor.start()
    for (let i = 0; i < 10; i++) {
      beat()
      clock.advance(900)
    }
    expect(events).toEqual(['0 online p1'])
    clock.advance(150)
    expect(events[1]).toMatch(/offline p1 timeout$/)
    await monitor.close()
  })

  it('suspects first when the detector has a suspect deadline, and recovers on a beat', async () => {
    const { fixedTimeout } = await import('../src/index.js')
    const { clock, monitor, events, beat } = setup({ detector: fixedTimeout({ timeoutMs: 1000, suspectAfterMs: 400 }) })
    await monitor.start()
    beat()
    clock.advance(399)
    expect(events).toEqual(['0 online p1'])
    clock.advance(51)
    expect(events[1]).toMatch(/suspect p1$/)
    beat()
    expect(events[2]).toMatch(/recover p1$/)
    clock.advance(2000)
    expect(events.slice(3).map((e) => e.split(' ').slice(1).join(' '))).toEqual(['suspect p1', 'offline p1 timeout'])
    await monitor.close()
  })

  it('close() leaves no timer pending and emits nothing after', async () => {
    const { clock, monitor, events, beat } = setup()
    await monitor.start()
    beat('a')
    beat('b')
    expect(clock.pending()).toBeGreaterThan(0)
    await monitor.close()
    await monitor.close()
    expect(clock.pending()).toBe(0)
    clock.advance(10_000)
    expect(events).toEqual(['0 online a', '0 online b'])
  })
})
