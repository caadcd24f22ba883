/**
 * Webhook delivery to a real local receiver, with every delay (backoff,
 * attempt timeout, drain deadline) on a fake clock.
 */
import { createBeater, createMonitor } from '@hb/core'
import { createFakeClock, createMemoryTransportPair, createWaiter, recordMonitorEvents, settle } from '@hb/core/testing'
import type { FakeClock } from '@hb/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import type { PresenceEvent } from '../src/presence/presence.js'
import { createLocalPresence } from '../src/presence/presence.js'
import { createWebhookDispatcher } from '../src/webhooks/webhook-dispatcher.js'
import type { WebhookDispatcherOptions } from '../src/webhooks/webhook-dispatcher.js'
import { signWebhook, verifyWebhookSignature } from '../src/webhooks/webhook-signature.js'
import { startWebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'webhook-secret'
const START_WALL_MS = 1_800_000_000_000

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function event(id: string, type: PresenceEvent['type'] = 'online'): PresenceEvent {
  return {
    type,
    peer: { id, state: type === 'offline' ? 'dead' : 'alive', transport: 'udp', rttMs: 1.5, lastSeenAt: START_WALL_MS, address: '127.0.0.1:5000', suspicion: 0 },
    ...(type === 'offline' ? { reason: 'timeout' as const } : {}),
    at: START_WALL_MS,
  }
}

async function setup(options: Partial<WebhookDispatcherOptions> = {}) {
  const clock: FakeClock = createFakeClock(0, { wallStartMs: START_WALL_MS })
  const receiver = await startWebhookReceiver()
  cleanup.push(() => receiver.close())
  // Every outcome is logged: the test's logger wakes whoever waits on the dispatcher's counts.
  const waiter = createWaiter()
  const logger = { warn: () => waiter.notify(), debug: () => waiter.notify() }
  const dispatcher = createWebhookDispatcher({
    logger,
    urls: [receiver.url],
    secret: SECRET,
    events: ['online', 'offline'],
    clock,
    timeoutMs: 5000,
    maxAttempts: 3,
    maxQueue: 100,
    backoffMs: 1000,
    ...options,
  })
  cleanup.push(() => dispatcher.close())
  const until = (condition: () => boolean, what: string) => waiter.until(condition, what)
  return { clock, receiver, dispatcher, until }
}

describe('webhook signatures', () => {
  it('verifies what was signed, and nothing else', async () => {
    const clock = { wallNow: () => 1_700_000_100_000 }
    const header = await signWebhook(SECRET, 1_700_000_000, '{"a":1}')
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/)
    expect(await verifyWebhookSignature({ secret: SECRET, header, body: '{"a":1}', clock })).toBe(true)
    expect(await verifyWebhookSignature({ secret: SECRET, header, body: '{"a":2}', clock })).toBe(false)
    expect(await verifyWebhookSignature({ secret: 'other', header, body: '{"a":1}', clock })).toBe(false)
    expect(await verifyWebhookSignature({ secret: SECRET, header: header.replace('t=1700000000', 't=1700000001'), body: '{"a":1}', clock })).toBe(false)
    // 100 s old is within the default 300 s; 301 s is not.
    expect(await verifyWebhookSignature({ secret: SECRET, header, body: '{"a":1}', clock: { wallNow: () => 1_700_000_301_000 } })).toBe(false)
    expect(await verifyWebhookSignature({ secret: SECRET, header: 'v1=zz', body: '', clock })).toBe(false)
    expect(await verifyWebhookSignature({ secret: SECRET, header: undefined, body: '', clock })).toBe(false)
  })
})

describe('webhook delivery', () => {
  it('POSTs signed JSON for subscribed events only', async () => {
    const { receiver, dispatcher, until } = await setup()
    dispatcher.enqueue(event('w-1', 'suspect'), 'b.1')
    dispatcher.enqueue(event('w-1', 'online'), 'b.2')
    dispatcher.enqueue(event('w-1', 'offline'), 'b.3')
    await receiver.until(() => receiver.received.length === 2, 'two deliveries')
    const [online, offline] = receiver.received
    expect(JSON.parse(online!.body)).toEqual({ id: 'b.2', type: 'online', peer: event('w-1').peer, at: new Date(START_WALL_MS).toISOString() })
    expect(JSON.parse(offline!.body)).toMatchObject({ id: 'b.3', type: 'offline', reason: 'timeout' })
    expect(online!.headers).toMatchObject({ 'content-type': 'application/json', 'hb-event-id': 'b.2' })
    const verify = (index: number) =>
      verifyWebhookSignature({ secret: SECRET, header: receiver.received[index]!.headers['hb-signature'] as string, body: receiver.received[index]!.body, clock: { wallNow: () => START_WALL_MS } })
    expect(await verify(0)).toBe(true)
    expect(await verify(1)).toBe(true)
    await until(() => dispatcher.stats().delivered === 2, 'both counted')
    expect(dispatcher.stats()).toEqual({ delivered: 2, failed: 0, failedAttempts: 0, dropped: 0, queued: 0 })
  })

  it('retries a failing receiver after 1 s, then 2 s, in order', async () => {
    const { clock, receiver, dispatcher, until } = await setup()
    receiver.answer = (index) => (index < 2 ? 503 : 200)
    dispatcher.enqueue(event('w-1'), 'b.1')
    dispatcher.enqueue(event('w-2'), 'b.2')
    await receiver.until(() => receiver.received.length === 1, 'first attempt')
    await until(() => dispatcher.stats().failedAttempts === 1, 'first failure counted')
    clock.advance(999)
    await settle()
    expect(receiver.received).toHaveLength(1)
    clock.advance(1)
    await receiver.until(() => receiver.received.length === 2, 'second attempt after 1 s')
    await until(() => dispatcher.stats().failedAttempts === 2, 'second failure counted')
    clock.advance(1999)
    await settle()
    expect(receiver.received).toHaveLength(2)
    clock.advance(1)
    await receiver.until(() => receiver.received.length === 4, 'third attempt, then the next delivery')
    expect(receiver.received.map((request) => request.headers['hb-event-id'])).toEqual(['b.1', 'b.1', 'b.1', 'b.2'])
    await until(() => dispatcher.stats().delivered === 2, 'both delivered')
    expect(dispatcher.stats()).toMatchObject({ delivered: 2, failed: 0, failedAttempts: 2 })
  })

  it('abandons a delivery after maxAttempts, and an attempt after timeoutMs', async () => {
    const { clock, receiver, dispatcher, until } = await setup({ maxAttempts: 2 })
    receiver.answer = (index) => (index === 0 ? 'hang' : 500)
    dispatcher.enqueue(event('w-1'), 'b.1')
    await receiver.until(() => receiver.received.length === 1, 'first attempt')
    clock.advance(5000)
    await until(() => dispatcher.stats().failedAttempts === 1, 'the hung attempt timed out')
    clock.advance(1000)
    await until(() => dispatcher.stats().failed === 1, 'given up')
    expect(dispatcher.stats()).toMatchObject({ delivered: 0, failed: 1, failedAttempts: 2, queued: 0 })
  })

  it('keeps its queue bounded, dropping the oldest waiting delivery', async () => {
    const { receiver, dispatcher } = await setup({ maxQueue: 3 })
    receiver.answer = () => 'hang'
    for (let i = 1; i <= 10; i++) dispatcher.enqueue(event(`w-${i}`), `b.${i}`)
    expect(dispatcher.stats()).toMatchObject({ queued: 3, dropped: 7 })
    await receiver.until(() => receiver.received.length === 1, 'the first delivery in flight')
    expect(receiver.received[0]!.headers['hb-event-id']).toBe('b.1')
    dispatcher.close()
    expect(dispatcher.stats()).toMatchObject({ queued: 0, dropped: 10, delivered: 0 })
  })

  it('drains within its deadline', async () => {
    const { clock, receiver, dispatcher } = await setup()
    receiver.answer = () => 'hang'
    dispatcher.enqueue(event('w-1'), 'b.1')
    let drained = false
    const drain = dispatcher.drain(3000).then(() => (drained = true))
    await receiver.until(() => receiver.received.length === 1, 'in flight')
    clock.advance(2999)
    await settle()
    expect(drained).toBe(false)
    clock.advance(1)
    await drain
    expect(dispatcher.stats().queued).toBe(1)
  })

  it('never delays detection: peers go offline on time while the receiver hangs', async () => {
    const clock = createFakeClock(0)
    const pair = createMemoryTransportPair()
    const monitor = createMonitor({ secret: SECRET, clock, timeoutMs: 1000, tickMs: 10, transports: [pair.server] })
    cleanup.push(() => monitor.close())
    await monitor.start()
    const receiver = await startWebhookReceiver()
    cleanup.push(() => receiver.close())
    receiver.answer = () => 'hang'
    const dispatcher = createWebhookDispatcher({ urls: [receiver.url], secret: SECRET, events: ['online', 'offline'], clock, timeoutMs: 60_000, maxAttempts: 3, maxQueue: 10, backoffMs: 1000 })
    cleanup.push(() => dispatcher.close())
    let sequence = 0
    createLocalPresence(monitor, clock).onTransition((transition) => dispatcher.enqueue(transition, `b.${++sequence}`))
    const recorder = recordMonitorEvents(monitor, ['online', 'offline'])

    for (const id of ['a', 'b']) {
      const stop = createBeater({ id, secret: SECRET, clock, transport: pair.createClient() }).start()
      await recorder.until(() => recorder.events.includes(`online ${id}`), `online ${id}`)
      await stop({ bye: false })
    }
    await receiver.until(() => receiver.received.length === 1, 'the first webhook hanging')
    const deadline = Math.max(...['a', 'b'].map((id) => monitor.get(id)!.lastSeenMonotonicMs)) + 1000
    clock.advance(deadline - clock.now() - 1)
    expect(recorder.events).toEqual(['online a', 'online b'])
    clock.advance(1 + 10)
    expect(recorder.events.slice(0, 2)).toEqual(['online a', 'online b'])
    expect(recorder.events.slice(2).sort()).toEqual(['offline a timeout', 'offline b timeout'])
    expect(dispatcher.stats()).toMatchObject({ queued: 4, delivered: 0 })
  })
})
