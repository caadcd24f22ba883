import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../src/index.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('systemClock timers past Node’s longest (2^31 − 1 ms)', () => {
  it('fires once, no earlier than asked, where Node alone would fire after 1 ms', () => {
    vi.useFakeTimers()
    const fired: number[] = []
    const longest = 2 ** 31 - 1
    systemClock.setTimeout(() => fired.push(1), longest + 1000)
    vi.advanceTimersByTime(longest)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(999)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(1)
    expect(fired).toEqual([1])
    vi.advanceTimersByTime(3 * longest)
    expect(fired).toEqual([1])
  })

  it('a beater’s largest interval, 2^32 − 1 ms, takes three steps and can be cancelled at any of them', () => {
    vi.useFakeTimers()
    const fired: string[] = []
    systemClock.setTimeout(() => fired.push('kept'), 2 ** 32 - 1)
    const cancelled = systemClock.setTimeout(() => fired.push('cancelled'), 2 ** 32 - 1)
    vi.advanceTimersByTime(2 ** 31)
    systemClock.clearTimeout(cancelled)
    vi.advanceTimersByTime(2 ** 31)
    expect(fired).toEqual(['kept'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('an ordinary delay is an ordinary Node timer', () => {
    vi.useFakeTimers()
    const fired: number[] = []
    const handle = systemClock.setTimeout(() => fired.push(1), 50)
    expect(typeof (handle as { ref?: unknown }).ref).toBe('function')
    vi.advanceTimersByTime(50)
    expect(fired).toEqual([1])
  })
})
