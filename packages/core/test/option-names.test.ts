import { describe, expect, it } from 'vitest'
import { checkOptionNames } from '../src/adapter/index.js'
import { createBeater, createMonitor, HeartbeatError } from '../src/index.js'
import { createMemoryTransportPair } from '../src/testing/index.js'
import { SECRET } from './helpers.js'

/** The HB_ERR_CONFIG message `make` throws. */
function configMessage(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(HeartbeatError.isInstance(error) && error.code).toBe('HB_ERR_CONFIG')
    return (error as Error).message
  }
  throw new Error('did not throw')
}

describe('unknown option names', () => {
  it("createBeater refuses an option it does not have, naming the near one (the monitor's `acks` on a beater)", () => {
    const transport = createMemoryTransportPair().client
    expect(configMessage(() => createBeater({ id: 'c', secret: SECRET, transport, acks: false } as never))).toBe(
      'createBeater: unknown option "acks" (did you mean \'expectAcks\'?)',
    )
    expect(configMessage(() => createBeater({ id: 'c', secret: SECRET, transport, intervall: 500 } as never))).toMatch(/"intervall" \(did you mean 'intervalMs'\?\)/)
    expect(configMessage(() => createBeater({ id: 'c', secret: SECRET, transport, colour: 'red' } as never))).toBe('createBeater: unknown option "colour"')
  })

  it('createMonitor refuses an option it does not have', () => {
    expect(configMessage(() => createMonitor({ secret: SECRET, timeout: 5000 } as never))).toBe('createMonitor: unknown option "timeout" (did you mean \'timeoutMs\'?)')
    expect(configMessage(() => createMonitor({ secret: SECRET, expectAcks: false } as never))).toBe('createMonitor: unknown option "expectAcks" (did you mean \'acks\'?)')
  })

  it('every documented option is known: one of each passes the name check', () => {
    const pair = createMemoryTransportPair()
    const beater = createBeater({
      id: 'c', secret: SECRET, transport: pair.client, intervalMs: 500, jitter: 0.1, phase: 'spread', ackEvery: 3, missedAcks: 3,
      expectAcks: true, reconnect: { initialDelayMs: 100 }, connectTimeoutMs: 1000, maxFrameBytes: 1024, random: Math.random,
      signal: new AbortController().signal, crypto: 'node',
    })
    expect(beater.running).toBe(false)
    const monitor = createMonitor({
      secret: SECRET, timeoutMs: 5000, tickMs: 50, transports: [pair.server], maxPeers: 10, maxFrameBytes: 1024, skewMs: 1000,
      riseBeats: 1, helloTimeoutMs: 1000, forgetAfterMs: 1000, loopLagToleranceMs: 500, acks: true, signal: new AbortController().signal,
    })
    expect(monitor.size).toBe(0)
  })

  it('prefers the same name in another case, then a near spelling, then the longest name containing it', () => {
    const known = { id: true, key: true, keyId: true, ackEvery: true, expectAcks: true, connectTimeoutMs: true } as const
    const near = (name: string) => configMessage(() => checkOptionNames('f', { [name]: 1 }, known)).match(/did you mean '(\w+)'/)?.[1]
    expect(near('keyid')).toBe('keyId')
    expect(near('KEYID')).toBe('keyId')
    expect(near('kee')).toBe('key')
    expect(near('acks')).toBe('expectAcks')
    expect(near('width')).toBeUndefined()
  })

  it('quotes the name and cuts a long one short', () => {
    expect(configMessage(() => checkOptionNames('f', { 'a\nb': 1 }, { zzzzzzzz: true }))).toBe('f: unknown option "a\\nb"')
    expect(configMessage(() => checkOptionNames('f', { ['q'.repeat(1000)]: 1 }, { zzzzzzzz: true }))).toBe(`f: unknown option "${'q'.repeat(64)}…"`)
  })

  it('looks at own properties only, and suggests nothing far from every name', () => {
    const inherited = Object.create({ stray: 1 }) as object
    expect(() => checkOptionNames('f', inherited, { a: true })).not.toThrow()
    expect(configMessage(() => checkOptionNames('f', { zzzz: 1 }, { timeoutMs: true }))).toBe('f: unknown option "zzzz"')
  })
})
