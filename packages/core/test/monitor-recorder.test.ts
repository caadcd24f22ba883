import { describe, expect, it } from 'vitest'
import { recordMonitorEvents } from '../src/testing/index.js'
import { setup } from './helpers.js'

describe('recordMonitorEvents', () => {
  it('records the chosen events in order and wakes waiters on each', async () => {
    const s = setup({}, { kind: 'connection' })
    const all = recordMonitorEvents(s.monitor)
    const some = recordMonitorEvents(s.monitor, ['offline'])
    await s.monitor.start()
    s.beat('a')
    const waiting = all.until(() => all.events.length === 3, 'three events')
    s.pair.inject(new Uint8Array([1, 2, 3]))
    s.clock.advance(1100)
    await waiting
    expect(all.events).toEqual(['online a', 'rejected malformed', 'offline a timeout'])
    expect(all.rejected.map((r) => r.reason)).toEqual(['malformed'])
    expect(some.events).toEqual(['offline a timeout'])
    await expect(some.until(() => false, 'never', 10)).rejects.toThrow(/never/)
    await s.monitor.close()
  })
})
