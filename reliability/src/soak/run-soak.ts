/**
 * The soak: steady peers on UDP, TCP and WS, with churn (short-lived peers
 * coming and going), floods (forged datagrams, oversize TCP prefixes, idle
 * connections) and reconnects (every TCP link reset through the fault proxy)
 * all at once, for 10 minutes (about 1 in quick mode). Reported: false
 * offlines of the steady peers, heap and RSS slopes over the second half, and
 * the handles left open after everything was closed (must be none).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createBeater, createMonitor } from '@hb/core'
import type { Beater } from '@hb/core'
import { createTcpClient, createTcpServer } from '@hb/tcp'
import { createUdpClient, createUdpServer } from '@hb/udp'
import { createWsClient, createWsServer } from '@hb/ws'
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { createTcpFaultProxy } from '../proxy/tcp-fault-proxy.js'
import { createRandom } from '../study/random.js'
import { handleCounts, handlesAbove } from './handles.js'
import type { Sample } from './slope.js'
import { slopePerMinute } from './slope.js'

type StopFunction = ReturnType<Beater['start']>

export interface SoakResult {
  readonly durationMs: number
  readonly steadyPeers: number
  readonly steadyFalseOfflines: number
  readonly churned: number
  readonly forged: number
  readonly rejected: number
  readonly resets: number
  readonly maxSize: number
  readonly heapSlopeMiBPerMin: number
  readonly rssSlopeMiBPerMin: number
  readonly heapMiB: { start: number; end: number }
  readonly rssMiB: { start: number; end: number }
  readonly handlesLeft: Record<string, number>
}

const secret = 'reliability-soak-secret-0123456789abcdef'
const mib = (bytes: number): number => bytes / 2 ** 20
const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

export async function runSoak(options: { quick: boolean }): Promise<{ failures: string[]; result: SoakResult }> {
  const durationMs = options.quick ? 45_000 : 600_000
  // process.stdout/stderr create their handles on first use: make them exist before the baseline.
  void process.stdout.writableLength
  void process.stderr.writableLength
  const baseline = handleCounts()
  const random = createRandom(2026)
  const udp = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize: 4 << 20 })
  const tcp = createTcpServer({ host: '127.0.0.1', port: 0 })
  const ws = createWsServer({ host: '127.0.0.1', port: 0 })
  const monitor = createMonitor({ secret, timeoutMs: 3000, helloTimeoutMs: 1000, skewMs: 5000, forgetAfterMs: 10_000, transports: [udp, tcp, ws] })
  await monitor.start()
  const proxy = await createTcpFaultProxy({ target: { host: '127.0.0.1', port: tcp.address()!.port } })
  const steady = new Set<string>()
  let steadyFalseOfflines = 0
  let rejected = 0
  let maxSize = 0
  monitor.on('offline', (peer, reason) => {
    if (steady.has(peer.id) && reason === 'timeout') steadyFalseOfflines++
  })
  monitor.on('rejected', () => void rejected++)

  const stops: StopFunction[] = []
  const reconnect = { initialDelayMs: 50, maxDelayMs: 1000 }
  const startBeater = (id: string, transport: Parameters<typeof createBeater>[0]['transport'], intervalMs: number): StopFunction =>
    createBeater({ id, secret, intervalMs, reconnect, transport }).start()
  for (let i = 0; i < 100; i++) {
    const kind = i % 3
    const id = `steady-${i}`
    steady.add(id)
    const transport =
      kind === 0
        ? createUdpClient({ host: '127.0.0.1', port: udp.address()!.port })
        : kind === 1
          ? createTcpClient({ host: '127.0.0.1', port: proxy.port })
          : createWsClient({ url: `ws://127.0.0.1:${ws.address()!.port}/` })
    stops.push(startBeater(id, transport, 250))
  }

  const flooder = createSocket('udp4')
  flooder.on('error', () => {})
  const idle: Socket[] = []
  const churning = new Set<StopFunction>()
  let churned = 0
  let forged = 0
  let resets = 0
  const heap: Sample[] = []
  const rss: Sample[] = []
  const startedAt = performance.now()
  let heapStart = 0
  let rssStart = 0
  for (let second = 0; performance.now() - startedAt < durationMs; second++) {
    // Churn: 20 short-lived UDP peers a second, each beating 2–4 s, half leaving with bye.
    for (let i = 0; i < 20; i++) {
      const stop = startBeater(`churn-${churned++}`, createUdpClient({ host: '127.0.0.1', port: udp.address()!.port }), 200)
      churning.add(stop)
      const lifeMs = 2000 + random.next() * 2000
      const bye = random.next() < 0.5
      void sleep(lifeMs).then(async () => {
        churning.delete(stop)
        await stop({ bye })
      })
    }
    // Floods: 2,000 forged datagrams a second; an oversize TCP prefix and 5 idle connections every 5 s.
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.alloc(20 + Math.floor(random.next() * 100))
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random.next() * 256)
      flooder.send(bytes, udp.address()!.port, '127.0.0.1')
      forged++
    }
    if (second % 5 === 0) {
      const hostile = connect(tcp.address()!.port, '127.0.0.1')
      hostile.on('error', () => {})
      hostile.write(Buffer.from([0xff, 0xff, 0xff, 0xff]))
      idle.push(hostile)
      for (let i = 0; i < 5; i++) {
        const socket = connect(tcp.address()!.port, '127.0.0.1')
        socket.on('error', () => {})
        idle.push(socket)
      }
      for (const socket of idle.splice(0, Math.max(0, idle.length - 60))) socket.destroy()
    }
    // Reconnects: every TCP link reset every 15 s.
    if (second % 15 === 14) {
      proxy.reset()
      resets++
    }
    maxSize = Math.max(maxSize, monitor.size)
    await sleep(1000)
    gc()
    const usage = process.memoryUsage()
    const atMs = performance.now() - startedAt
    heap.push({ atMs, value: mib(usage.heapUsed + usage.arrayBuffers) })
    rss.push({ atMs, value: mib(usage.rss) })
    if (second === 0) {
      heapStart = heap[0]!.value
      rssStart = rss[0]!.value
    }
  }

  await Promise.all([...churning].map((stop) => stop({ bye: false })))
  await Promise.all(stops.map((stop) => stop()))
  for (const socket of idle) socket.destroy()
  await new Promise<void>((resolve) => flooder.close(() => resolve()))
  await proxy.close()
  await monitor.close()
  // Sockets finish closing on later turns; give them a bounded number of turns.
  let handlesLeft = handlesAbove(baseline)
  for (let i = 0; i < 100 && Object.keys(handlesLeft).some((kind) => kind !== 'Timeout'); i++) {
    await sleep(20)
    handlesLeft = handlesAbove(baseline)
  }
  delete handlesLeft.Timeout // sleep() above is our own timer
  const secondHalf = (samples: Sample[]): Sample[] => samples.slice(Math.floor(samples.length / 2))
  const result: SoakResult = {
    durationMs,
    steadyPeers: steady.size,
    steadyFalseOfflines,
    churned,
    forged,
    rejected,
    resets,
    maxSize,
    heapSlopeMiBPerMin: slopePerMinute(secondHalf(heap)),
    rssSlopeMiBPerMin: slopePerMinute(secondHalf(rss)),
    heapMiB: { start: heapStart, end: heap.at(-1)?.value ?? 0 },
    rssMiB: { start: rssStart, end: rss.at(-1)?.value ?? 0 },
    handlesLeft,
  }
  const failures: string[] = []
  if (Object.keys(handlesLeft).length > 0) failures.push(`soak: handles left open after close(): ${JSON.stringify(handlesLeft)}`)
  if (!options.quick && result.heapSlopeMiBPerMin > 1) failures.push(`soak: heap grows ${result.heapSlopeMiBPerMin.toFixed(2)} MiB/min over the second half`)
  return { failures, result }
}

export function printSoak(result: SoakResult): void {
  console.log(`\n### Soak (${result.durationMs / 1000} s)\n`)
  console.log('| steady peers | false offlines | churned | forged datagrams | rejected | TCP resets | max size | heap MiB start → end (slope/min) | RSS MiB start → end (slope/min) | handles left |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  const f = (n: number): string => n.toFixed(1)
  console.log(
    `| ${result.steadyPeers} | ${result.steadyFalseOfflines} | ${result.churned} | ${result.forged} | ${result.rejected} | ${result.resets} | ${result.maxSize} | ${f(result.heapMiB.start)} → ${f(result.heapMiB.end)} (${result.heapSlopeMiBPerMin.toFixed(2)}) | ${f(result.rssMiB.start)} → ${f(result.rssMiB.end)} (${result.rssSlopeMiBPerMin.toFixed(2)}) | ${Object.keys(result.handlesLeft).length === 0 ? 0 : JSON.stringify(result.handlesLeft)} |`,
  )
}
