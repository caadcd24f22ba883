/**
 * FIXED BEHAVIOUR (issue 15, fix 2): after a codeskyblue session expired, a
 * byte-for-byte resend of the client's last request does not bring the peer
 * back; only a strictly newer timestamp is accepted. Rejections carry the
 * peerId once the MAC verified. Fails on hb before the fix.
 */
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createCodeskyblueHandler } from '@hb/http'
import { SECRET } from './support/frames.js'
import { createCleanup, startMonitor } from './support/monitor-harness.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

const hexMac = (message: string): string => createHmac('sha256', SECRET).update(message).digest('hex')

/** What the unmodified Go client sends: a form POST of identifier, timestamp, messageMAC. */
async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(5000),
  })
  return { status: response.status, text: await response.text() }
}

const form = (identifier: string, timestamp: string): string =>
  new URLSearchParams({ timestamp, identifier, messageMAC: hexMac(`${timestamp}:${identifier}`) }).toString()

describe('codeskyblue replay after the session expired', () => {
  it('the last request resent after offline is refused, carries the peer id, and the peer stays offline', async () => {
    // The Go server's secret and timeout are the monitor's (the handler takes them from it).
    const harness = await startMonitor({ timeoutMs: 3000, tickMs: 10 })
    cleanup.add(() => harness.monitor.close())
    const server = createServer(createCodeskyblueHandler(harness.monitor))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    cleanup.add(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/heartbeat`

    // The Go client: handshake, then beats carrying the timestamp of the previous answer.
    let answer = await post(url, form('go-client', ''))
    expect(answer.status).toBe(200)
    let last = ''
    for (let i = 0; i < 3; i++) {
      last = form('go-client', answer.text.split(' ')[0]!)
      answer = await post(url, last)
      expect(answer.status).toBe(200)
    }
    await harness.waiter.until(() => harness.online.length === 1, 5000, 'online')
    await harness.waiter.until(() => harness.offline.length === 1, 10_000, 'offline after the client stopped')

    const replay = await post(url, last)
    expect(replay.status).toBe(400)
    expect(harness.online).toHaveLength(1)
    expect(harness.monitor.get('go-client')?.state).toBe('dead')
    const rejection = harness.rejected.at(-1)
    expect(rejection?.peerId).toBe('go-client')
  })
})
