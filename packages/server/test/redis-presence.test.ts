/**
 * `hb serve` with shared presence: two createHbServer instances on one real
 * redis-server (a private one on a free port), real clocks (Redis decides
 * cluster deadlines by its own TIME), a beater moving from one to the other.
 * Without redis-server the suite skips with a message, unless
 * HB_REQUIRE_REDIS=1, where it fails.
 */
import { randomUUID } from 'node:crypto'
import { createBeater, systemClock } from '@hb/core'
import { createWaiter, recordMonitorEvents } from '@hb/core/testing'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createClientTransport, createHbServer } from '../src/index.js'
import type { HbServer, HbServerConfig } from '../src/index.js'
import { redisMissing, startTestRedis } from './support/redis-server.js'
import { openSse } from './support/sse-reader.js'
import type { SseMessage } from './support/sse-reader.js'
import { startWebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'redis-presence-secret'
const WEBHOOK_SECRET = 'redis-presence-webhooks'
const TIMEOUT_MS = 1500

if (redisMissing !== undefined) {
  if (process.env.HB_REQUIRE_REDIS === '1') throw new Error(`${redisMissing} (HB_REQUIRE_REDIS=1)`)
  console.warn(`@hb/server shared-presence tests SKIPPED: ${redisMissing}`)
}

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function server(config: Partial<HbServerConfig>): HbServer {
  const created = createHbServer(
    { udp: 0, host: '127.0.0.1', adminPort: 0, secret: SECRET, timeoutMs: TIMEOUT_MS, sampleIntervalMs: 200, ...config },
    { logger: pino({ level: 'silent' }) },
  )
  cleanup.push(() => created.close())
  return created
}

const sseArrived = createWaiter()

/** Every SSE message of one server's /api/events, collected as it arrives (notifying `sseArrived`). */
async function collectSse(target: HbServer): Promise<SseMessage[]> {
  const reader = await openSse(`${target.adminUrl()}/api/events`)
  cleanup.push(() => reader.close())
  const messages: SseMessage[] = []
  void (async () => {
    for (;;) {
      messages.push(await reader.next(60_000))
      sseArrived.notify()
    }
  })().catch(() => undefined)
  return messages
}

describe.skipIf(redisMissing !== undefined && process.env.HB_REQUIRE_REDIS !== '1')('shared presence through Redis', () => {
  it('a beater moving between two servers is one online and one offline across both', async () => {
    const redis = await startTestRedis()
    cleanup.push(() => redis.stop())
    const receiver = await startWebhookReceiver()
    cleanup.push(() => receiver.close())
    const shared = { redisUrl: redis.url, redisNamespace: `t-${randomUUID()}`, webhooks: [receiver.url], webhookSecret: WEBHOOK_SECRET }
    const [a, b] = [server(shared), server(shared)]
    await Promise.all([a.start(), b.start()])
    for (const each of [a, b]) expect((await fetch(`${each.adminUrl()}/readyz`)).status).toBe(200)
    const sse = [await collectSse(a), await collectSse(b)]
    const local = [recordMonitorEvents(a.monitor, ['online', 'offline']), recordMonitorEvents(b.monitor, ['online', 'offline'])]
    const hooks = (type: string) => receiver.received.filter((hook) => (JSON.parse(hook.body) as { type: string }).type === type)
    const typeOf = (message: SseMessage) => (message.event === 'transition' ? (JSON.parse(message.data) as { type: string }).type : message.event)
    const sseOf = (type: string, messages = sse.flat()) => messages.filter((message) => typeOf(message) === type)

    const beatTo = (target: HbServer) =>
      createBeater({ id: 'mover', secret: SECRET, clock: systemClock, transport: createClientTransport(`udp://127.0.0.1:${target.addresses().udp!.port}`) }).start()
    const stopA = beatTo(a)
    cleanup.push(() => stopA({ bye: false }))
    await receiver.until(() => hooks('online').length === 1, 'the online webhook', 10_000)
    // Both servers list it: the one holding it with its detail, the other from Redis.
    const seenFromB = async () => (await (await fetch(`${b.adminUrl()}/api/peers/mover`)).json()) as Record<string, unknown>
    // b learns of it on its next read of the cluster (every sampleIntervalMs): each check is a round trip, up to a deadline.
    const deadline = AbortSignal.timeout(5000)
    let view = await seenFromB()
    while (view.transport !== 'remote' && !deadline.aborted) view = await seenFromB()
    expect(view).toMatchObject({ id: 'mover', state: 'alive', transport: 'remote' })

    // It moves: beats to b now, a times it out locally. The cluster sees no transition.
    await stopA({ bye: false })
    const stopB = beatTo(b)
    cleanup.push(() => stopB({ bye: false }))
    await local[1]!.until(() => local[1]!.events.includes('online mover'), 'b hears the mover', 10_000)
    await local[0]!.until(() => local[0]!.events.includes('offline mover timeout'), 'a times the mover out', 10_000)
    // Then it stops for good: one offline, in whichever process released it last.
    await stopB({ bye: false })
    await receiver.until(() => hooks('offline').length === 1, 'the offline webhook', 10_000)
    expect(hooks('online')).toHaveLength(1)
    expect(hooks('offline')).toHaveLength(1)
    expect(JSON.parse(hooks('offline')[0]!.body)).toMatchObject({ type: 'offline', reason: 'timeout', peer: { id: 'mover' } })
    await sseArrived.until(() => sseOf('offline').length === 1, 'the offline on SSE', 5000)
    expect(sseOf('online')).toHaveLength(1)
    expect(sseOf('online', sse[0])).toHaveLength(1) // a heard it first: a decided the online
  })
})
