import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { connect, createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTcpFaultProxy } from '../src/proxy/tcp-fault-proxy.js'
import { createUdpFaultProxy } from '../src/proxy/udp-fault-proxy.js'
import { faultScenarios } from '../src/proxy/fault-scenarios.js'
import { checkScenario } from '../src/proxy/run-fault-suite.js'
import { runFaultScenario } from '../src/proxy/run-fault-scenario.js'
import { createEventWaiter } from '../src/support/wait-for.js'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()))
})

async function udpSocket(): Promise<Socket> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  cleanup.push(() => new Promise<void>((resolve) => socket.close(() => resolve())))
  return socket
}

/** Sends `count` numbered datagrams through a proxy with `faults`; returns what the echo target saw. */
async function throughUdp(faults: Parameters<typeof createUdpFaultProxy>[0]['faults'], seed: number, count: number) {
  const target = await udpSocket()
  const received: number[] = []
  const waiter = createEventWaiter()
  target.on('message', (message) => {
    received.push(message.readUInt32BE(0))
    waiter.notify()
  })
  const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: target.address().port }, faults, seed })
  cleanup.push(() => proxy.close())
  const client = await udpSocket()
  // A drop is invisible at the target: re-check on a short tick as well as on arrivals.
  const tick = setInterval(() => waiter.notify(), 5)
  const decided = (n: number) => (): boolean => {
    const stats = proxy.stats()
    return stats.dropped + stats.forwarded - stats.duplicated === n && received.length === stats.forwarded
  }
  try {
    // Batches of 50, so no socket buffer on the way overflows (that would be the kernel's loss, not the proxy's).
    for (let i = 0; i < count; i++) {
      const bytes = Buffer.alloc(4)
      bytes.writeUInt32BE(i)
      client.send(bytes, proxy.port, '127.0.0.1')
      if ((i + 1) % 50 === 0 || i === count - 1) await waiter.until(decided(i + 1), 5000, `datagrams up to ${i} decided`)
    }
  } finally {
    clearInterval(tick)
  }
  return { received, stats: proxy.stats() }
}

describe('udp fault proxy', () => {
  it('drops and duplicates deterministically per seed', async () => {
    const first = await throughUdp({ lossRate: 0.3, duplicateRate: 0.2 }, 5, 500)
    const second = await throughUdp({ lossRate: 0.3, duplicateRate: 0.2 }, 5, 500)
    expect(first.stats).toEqual(second.stats)
    expect(first.stats.dropped).toBeGreaterThan(100)
    expect(first.stats.dropped).toBeLessThan(200)
    expect(first.stats.duplicated).toBeGreaterThan(40)
    expect(new Set(first.received).size).toBe(500 - first.stats.dropped)
  })

  it('drops everything while partitioned', async () => {
    const target = await udpSocket()
    const proxy = await createUdpFaultProxy({ target: { host: '127.0.0.1', port: target.address().port } })
    cleanup.push(() => proxy.close())
    proxy.partition()
    const client = await udpSocket()
    const waiter = createEventWaiter()
    let seen = 0
    target.on('message', () => {
      seen++
      waiter.notify()
    })
    for (let i = 0; i < 20; i++) client.send(Buffer.from('x'), proxy.port, '127.0.0.1')
    const countWaiter = createEventWaiter()
    const timer = setInterval(() => countWaiter.notify(), 5)
    await countWaiter.until(() => proxy.stats().partitioned === 20, 5000, 'twenty partitioned datagrams')
    clearInterval(timer)
    proxy.heal()
    client.send(Buffer.from('y'), proxy.port, '127.0.0.1')
    await waiter.until(() => seen === 1, 5000, 'the datagram after heal')
    expect(seen).toBe(1)
  })
})

describe('tcp fault proxy', () => {
  it('keeps byte order under loss and delay, and holds bytes through a partition until heal', async () => {
    const chunks: Buffer[] = []
    const waiter = createEventWaiter()
    const server = createServer((socket) => socket.on('data', (chunk) => (chunks.push(chunk), waiter.notify())))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const port = (server.address() as { port: number }).port
    const proxy = await createTcpFaultProxy({ target: { host: '127.0.0.1', port }, faults: { lossRate: 0.3, delayMs: 5, jitterMs: 5, retransmitMs: 30 }, seed: 3 })
    cleanup.push(() => proxy.close())
    const client = connect(proxy.port, '127.0.0.1')
    client.setNoDelay(true)
    cleanup.push(async () => client.destroy())
    await new Promise<void>((resolve) => client.once('connect', () => resolve()))
    const sent: number[] = []
    for (let i = 0; i < 200; i++) {
      client.write(Buffer.from([i]))
      sent.push(i)
    }
    await waiter.until(() => Buffer.concat(chunks).length === 200, 10_000, '200 bytes through the proxy')
    expect([...Buffer.concat(chunks)]).toEqual(sent)
    proxy.setFaults({ lossRate: 0, delayMs: 0, jitterMs: 0 })
    proxy.partition()
    client.write(Buffer.from([7]))
    const held = createEventWaiter()
    const timer = setInterval(() => held.notify(), 5)
    await held.until(() => proxy.stats().partitioned === 1, 5000, 'the byte held by the partition')
    clearInterval(timer)
    expect(Buffer.concat(chunks).length).toBe(200)
    proxy.heal()
    await waiter.until(() => Buffer.concat(chunks).length === 201, 5000, 'the held byte after heal')
  })
})

describe('monitors and beaters through the proxy', () => {
  it('every peer goes offline in a UDP partition longer than the timeout and comes back after heal', async () => {
    const scenario = faultScenarios.find((s) => s.transport === 'udp' && s.partitionMs !== undefined)!
    const result = await runFaultScenario(scenario, { peers: 5, windowMs: 600, seed: 9 })
    expect(checkScenario(result, scenario.partitionMs)).toEqual([])
    expect(result.partitionOfflines).toBe(5)
  })

  it('duplicated datagrams are rejected as replays, and create no extra peer', async () => {
    const scenario = faultScenarios.find((s) => s.name.startsWith('duplicate'))!
    const result = await runFaultScenario(scenario, { peers: 5, windowMs: 800, seed: 10 })
    expect(result.proxy.duplicated).toBeGreaterThan(0)
    expect(result.rejected.replay).toBeGreaterThan(0)
    expect(result.size).toBeLessThanOrEqual(5)
  })
})
