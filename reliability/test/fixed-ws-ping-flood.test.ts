/**
 * FIXED BEHAVIOUR (issue 15, fix 8): a WebSocket ping flood ends the
 * connection AND is reported as a `rejected` event with the reason `flood`
 * (PROTOCOL.md v2: not `malformed`; the pings are well-formed, there are just
 * too many). Fails on hb before the fix (the socket was terminated silently).
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createWsServer } from '@hb/ws'
import { createCleanup, startMonitor } from './support/monitor-harness.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

describe('websocket ping flood', () => {
  it('is ended and reported as a rejection with a reason', async () => {
    const server = createWsServer({ host: '127.0.0.1', port: 0 })
    const harness = await startMonitor({ transports: [server] })
    cleanup.add(() => harness.monitor.close())
    const ws = new WebSocket(`ws://127.0.0.1:${server.address()!.port}/`)
    ws.on('error', () => {})
    cleanup.add(() => ws.terminate())
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    let closedByServer = false
    ws.once('close', () => (closedByServer = true))
    for (let i = 0; i < 100_000 && ws.readyState === WebSocket.OPEN; i++) {
      ws.ping()
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve))
    }
    await harness.waiter.until(() => harness.rejected.some((info) => info.transport === 'ws'), 10_000, 'a ws rejection')
    const rejection = harness.rejected.find((info) => info.transport === 'ws')!
    expect(rejection.reason).toBe('flood')
    expect(rejection.detail).toMatch(/ping flood/)
    expect(harness.monitor.stats().transports.ws?.rejected.flood).toBe(1)
    expect(closedByServer || ws.readyState !== WebSocket.OPEN).toBe(true)
  })
})
