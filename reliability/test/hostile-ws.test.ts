/**
 * Hostile inputs on WebSocket: idle upgraded connections, oversize messages.
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createWsServer } from '@hb/ws'
import { rssMiB } from './support/memory.js'
import { createCleanup, startMonitor } from './support/monitor-harness.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())

async function wsMonitor(helloTimeoutMs = 10_000) {
  const server = createWsServer({ host: '127.0.0.1', port: 0 })
  const harness = await startMonitor({ transports: [server], helloTimeoutMs })
  cleanup.add(() => harness.monitor.close())
  return { ...harness, url: `ws://127.0.0.1:${server.address()!.port}/` }
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('error', reject)
    ws.once('open', () => {
      ws.off('error', reject)
      ws.on('error', () => {})
      resolve(ws)
    })
  })
}

function closeCode(ws: WebSocket, deadlineMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(-1)
    const signal = AbortSignal.timeout(deadlineMs)
    const onAbort = (): void => reject(new Error(`websocket still open after ${deadlineMs} ms`))
    signal.addEventListener('abort', onAbort, { once: true })
    ws.once('close', (code) => {
      signal.removeEventListener('abort', onAbort)
      resolve(code)
    })
  })
}

describe('idle websocket connections', () => {
  it('2,000 upgraded connections that never send a frame are all closed by the hello deadline', async () => {
    const { url, monitor } = await wsMonitor(300)
    const before = rssMiB()
    const sockets: WebSocket[] = []
    for (let i = 0; i < 2000; i++) sockets.push(await open(url))
    cleanup.add(() => sockets.forEach((ws) => ws.terminate()))
    await Promise.all(sockets.map((ws) => closeCode(ws, 20_000)))
    expect(sockets.every((ws) => ws.readyState === WebSocket.CLOSED)).toBe(true)
    expect(monitor.size).toBe(0)
    expect(rssMiB() - before).toBeLessThan(128)
  })
})

describe('oversize websocket messages', () => {
  it('a 16 MiB message is refused with close code 1009, reported as too-large, and not buffered', async () => {
    const { url, monitor, waiter, rejectedCount } = await wsMonitor()
    const ws = await open(url)
    cleanup.add(() => ws.terminate())
    const before = rssMiB()
    const message = Buffer.alloc(16 << 20, 0x61)
    ws.send(message)
    const code = await closeCode(ws, 10_000)
    await waiter.until(() => rejectedCount('too-large') === 1, 5000, 'a too-large rejection')
    expect(code).toBe(1009)
    expect(monitor.size).toBe(0)
    // The client's own 16 MiB buffer is counted in RSS too; the server must not add another copy.
    expect(rssMiB() - before).toBeLessThan(48)
  })
})
