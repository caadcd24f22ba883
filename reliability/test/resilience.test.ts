/**
 * Resilience on real sockets: a blocked event loop, churn, a server restart,
 * and a process that must exit by itself after close().
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createBeater } from '@hb/core'
import { createTcpClient, createTcpServer } from '@hb/tcp'
import { createUdpServer } from '@hb/udp'
import { createWsClient, createWsServer } from '@hb/ws'
import { SECRET, captureFrames } from './support/frames.js'
import { heapMiB } from './support/memory.js'
import { createCleanup, startMonitor } from './support/monitor-harness.js'
import { udpClose, udpSend, udpSocket } from './support/sockets.js'

const cleanup = createCleanup()
afterEach(() => cleanup.run())
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** Runs a fixture script in a child node process; resolves with its output and exit code, rejects after the deadline. */
function runChild(args: string[], deadlineMs: number, onLine?: (line: string) => void) {
  const child = spawn(process.execPath, args, { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString()
    for (const line of data.toString().split('\n')) if (line !== '') onLine?.(line)
  })
  child.stderr.on('data', (data: Buffer) => (output += data.toString()))
  const exited = new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child did not exit within ${deadlineMs} ms; output: ${output}`))
    }, deadlineMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
  cleanup.add(() => child.kill('SIGKILL'))
  return { child, exited }
}

describe('a blocked event loop', () => {
  it('a 5 s stall of the monitor convicts none of 1,000 live peers', async () => {
    const server = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20 })
    const harness = await startMonitor({ transports: [server], timeoutMs: 2000 })
    cleanup.add(() => harness.monitor.close())
    const { child, exited } = runChild([fixture('udp-beaters.mjs'), String(server.address()!.port), '1000', '500', SECRET], 60_000)
    cleanup.add(() => child.stdin.end())
    await harness.waiter.until(() => harness.online.length === 1000, 30_000, '1,000 peers online')
    const stallUntil = performance.now() + 5000
    while (performance.now() < stallUntil) {
      // Blocked: no timer, no socket read. Beats pile up in (and overflow) the socket buffer.
    }
    // Measurement window: two timeouts after the stall, with the peers beating as before.
    await sleep(4000)
    expect(harness.offline).toEqual([])
    expect(harness.monitor.size).toBe(1000)
    child.stdin.end()
    expect((await exited).code).toBe(0)
  })
})

describe('churn', () => {
  it('50,000 peers that come once and go (two waves) are all forgotten, and a second wave grows nothing', async () => {
    const server = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20 })
    const harness = await startMonitor({ transports: [server], timeoutMs: 500, tickMs: 50, skewMs: 2000, forgetAfterMs: 4000 })
    cleanup.add(() => harness.monitor.close())
    const port = server.address()!.port
    const socket = await udpSocket()
    cleanup.add(() => udpClose(socket))
    // Forgetting emits no event: re-check on a tick as well.
    const tick = setInterval(() => harness.waiter.notify(), 100)
    cleanup.add(() => clearInterval(tick))
    const wave = async (name: string, count: number): Promise<number> => {
      let peak = 0
      for (let first = 0; first < count; first += 1000) {
        const hellos = await Promise.all(Array.from({ length: 1000 }, (_, i) => captureFrames(`${name}-${first + i}`, 0).then((frames) => frames[0]!)))
        await Promise.all(hellos.map((hello) => udpSend(socket, hello, port)))
        await harness.waiter.until(() => harness.online.length >= first + 900, 10_000, `${name}: peers up to ${first} online`)
        peak = Math.max(peak, harness.monitor.size)
      }
      await harness.waiter.until(() => harness.monitor.size === 0, 40_000, `${name}: every churned peer forgotten`)
      // Keep counts, not the recorded events: 25,000 of them would weigh on the heap being measured.
      totals.online += harness.online.splice(0).length
      totals.offline += harness.offline.splice(0).length
      return peak
    }
    const totals = { online: 0, offline: 0 }
    const before = heapMiB()
    const firstPeak = await wave('first', 25_000)
    const afterFirst = heapMiB()
    const secondPeak = await wave('second', 25_000)
    const afterSecond = heapMiB()
    console.log(
      `churn: ${totals.online} online, peaks ${firstPeak} / ${secondPeak}, heap+buffers ${before.toFixed(1)} → ${afterFirst.toFixed(1)} → ${afterSecond.toFixed(1)} MiB`,
    )
    expect(totals.online).toBeGreaterThan(50_000 * 0.95)
    expect(totals.offline).toBe(totals.online)
    expect(harness.monitor.size).toBe(0)
    // The registry keeps its capacity (typed arrays do not shrink); a second wave must reuse it.
    expect(afterFirst - before).toBeLessThan(24)
    expect(afterSecond - afterFirst).toBeLessThan(4)
  })
})

describe('a server restart', () => {
  it('tcp and ws beaters reconnect to the restarted monitor, with no unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    cleanup.add(() => process.off('unhandledRejection', onUnhandled))
    const tcp = createTcpServer({ host: '127.0.0.1', port: 0 })
    const ws = createWsServer({ host: '127.0.0.1', port: 0 })
    const first = await startMonitor({ transports: [tcp, ws], timeoutMs: 2000 })
    const ports = { tcp: tcp.address()!.port, ws: ws.address()!.port }
    const reconnect = { initialDelayMs: 50, maxDelayMs: 500 }
    for (let i = 0; i < 10; i++) {
      const stopTcp = createBeater({ id: `tcp-${i}`, secret: SECRET, intervalMs: 100, reconnect, transport: createTcpClient({ host: '127.0.0.1', port: ports.tcp }) }).start()
      const stopWs = createBeater({ id: `ws-${i}`, secret: SECRET, intervalMs: 100, reconnect, transport: createWsClient({ url: `ws://127.0.0.1:${ports.ws}/` }) }).start()
      cleanup.add(() => Promise.all([stopTcp({ bye: false }), stopWs({ bye: false })]))
    }
    await first.waiter.until(() => first.online.length === 20, 10_000, '20 peers online')
    await first.monitor.close()
    const second = await startMonitor({
      transports: [createTcpServer({ host: '127.0.0.1', port: ports.tcp }), createWsServer({ host: '127.0.0.1', port: ports.ws })],
      timeoutMs: 2000,
    })
    cleanup.add(() => second.monitor.close())
    await second.waiter.until(() => second.online.length === 20, 20_000, '20 peers back online after the restart')
    expect(unhandled).toEqual([])
  })
})

describe('process exit', () => {
  it('after stop() and close() on every transport, the process exits by itself', async () => {
    const { exited } = runChild([fixture('close-and-exit.mjs')], 20_000)
    const { code, output } = await exited
    expect(output.trim()).toBe('closed')
    expect(code).toBe(0)
  })
})
