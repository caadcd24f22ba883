/**
 * The standalone server's HTTP phase is bounded (issue 15, item 5): a socket
 * that never upgrades is closed after `upgradeTimeoutMs`, not after Node's
 * 60 s + 30 s. Real sockets with a 100 ms budget; every wait is on an event,
 * with a deadline.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerTransportHandler } from '@hb/core/adapter'
import { createWsServer } from '../src/index.js'
import { upgradeTimeouts } from '../src/upgrade-server.js'
import { rawTcp, rawWs } from './support.js'

const cleanup: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).reverse().map((fn) => fn()))
})

const echo: ServerTransportHandler = {
  onFrame: (frame) => (frame.reply(frame.bytes.slice()), { accepted: true }),
  onLinkUp: () => undefined,
  onLinkDown: () => undefined,
  onRejected: () => undefined,
}

async function standalone(upgradeTimeoutMs: number) {
  const server = createWsServer({ host: '127.0.0.1', port: 0, upgradeTimeoutMs })
  cleanup.push(() => server.close())
  await server.start(echo, { maxFrameBytes: 256 })
  const address = server.address()
  if (address?.url === undefined) throw new Error('no address')
  return { port: address.port, url: address.url }
}

async function connected(port: number) {
  const client = await rawTcp(port)
  cleanup.push(() => void client.socket.destroy())
  return client
}

describe('the standalone server before the upgrade', () => {
  it("derives every HTTP bound from one budget, 10 s by default like the monitor's helloTimeoutMs", () => {
    expect(upgradeTimeouts(10_000)).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      keepAliveTimeoutMs: 1000,
      idleTimeoutMs: 10_000,
      checkIntervalMs: 1000,
    })
    expect(upgradeTimeouts(100)).toEqual({ headersTimeoutMs: 100, requestTimeoutMs: 100, keepAliveTimeoutMs: 100, idleTimeoutMs: 100, checkIntervalMs: 100 })
  })

  it('closes a socket that connects and sends nothing', async () => {
    const { port } = await standalone(100)
    const idle = await connected(port)
    await idle.until(() => idle.closed(), 'the idle socket closed')
    // Destroyed by the idle timeout, or answered 408 by the header deadline: the two fall due together.
    expect(idle.received().toString('latin1')).toMatch(/^(HTTP\/1\.1 408 .*)?$/s)
  })

  it('answers a header slowloris (a byte at a time, never idle) with 408 and closes it', async () => {
    const { port } = await standalone(100)
    const slow = await connected(port)
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n' + 'X-Slow: ' + 'a'.repeat(10_000))
    let sent = 0
    // Traffic, not synchronisation: a byte every 10 ms keeps the idle timeout from firing.
    const drip = setInterval(() => {
      if (sent < request.length) slow.socket.write(request.subarray(sent, ++sent))
    }, 10)
    cleanup.push(() => clearInterval(drip))
    await slow.until(() => slow.closed(), 'the slow socket closed', 10_000)
    clearInterval(drip)
    expect(slow.received().toString('latin1')).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('leaves an upgraded connection alone once the budget has passed', async () => {
    const { port, url } = await standalone(100)
    const ws = await rawWs(url)
    cleanup.push(() => ws.socket.terminate())
    // A socket opened after the WebSocket, closed by the budget: the WebSocket's time has passed too.
    const idle = await connected(port)
    await idle.until(() => idle.closed(), 'the idle socket closed')
    ws.socket.send(Uint8Array.of(0x68, 0x62))
    await ws.until(() => ws.messages.length === 1, 'the echo')
    expect(ws.closeCode()).toBeUndefined()
  })

  it('refuses a budget that is not a positive integer', () => {
    for (const upgradeTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      expect(() => createWsServer({ port: 0, upgradeTimeoutMs })).toThrow(expect.objectContaining({ code: 'HB_ERR_CONFIG' }))
    }
  })
})
