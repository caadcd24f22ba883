/**
 * A UDP fault proxy on loopback: clients send to the proxy, which forwards
 * each datagram to the target from one upstream socket per client (so the
 * server's replies find their way back), applying loss, delay, jitter,
 * reordering, duplication and partitions both ways.
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { createRandom } from '../study/random.js'
import type { FaultStats, Faults } from './faults.js'
import { checkFaults, emptyStats, noFaults, packetDelay } from './faults.js'

export interface FaultProxyOptions {
  target: { host: string; port: number }
  faults?: Partial<Faults>
  seed?: number
  /** Most distinct clients (upstream sockets) at once. Default 10 000. */
  maxClients?: number
}

export interface FaultProxy {
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number
  setFaults(faults: Partial<Faults>): void
  /** While partitioned, nothing crosses (UDP: dropped; TCP: held until heal). */
  partition(): void
  heal(): void
  stats(): FaultStats
  close(): Promise<void>
}

const bindSocket = (socket: Socket): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject)
      resolve()
    })
  })

export async function createUdpFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let faults = checkFaults({ ...noFaults, ...options.faults })
  const random = createRandom(options.seed ?? 1)
  const maxClients = options.maxClients ?? 10_000
  const stats = emptyStats()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const upstreams = new Map<string, Socket>()
  let partitioned = false
  let closed = false

  const front = createSocket('udp4')
  front.on('error', () => {}) // ICMP errors from vanished clients: nothing to do
  await bindSocket(front)

  function forward(bytes: Buffer, send: (bytes: Buffer) => void): void {
    if (closed) return
    if (partitioned) {
      stats.partitioned++
      return
    }
    if (random.next() < faults.lossRate) {
      stats.dropped++
      return
    }
    const copies = random.next() < faults.duplicateRate ? 2 : 1
    if (copies === 2) stats.duplicated++
    for (let i = 0; i < copies; i++) {
      const delay = packetDelay(faults, random, stats)
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (closed) return
        stats.forwarded++
        send(bytes)
      }, delay)
      timers.add(timer)
    }
  }

  front.on('message', (message, from) => {
    const key = `${from.address}:${from.port}`
    let upstream = upstreams.get(key)
    if (upstream === undefined) {
      if (upstreams.size >= maxClients) return
      const socket = createSocket('udp4')
      upstream = socket
      upstreams.set(key, socket)
      socket.on('error', () => {})
      socket.on('message', (reply) => forward(reply, (bytes) => front.send(bytes, from.port, from.address)))
      socket.bind(0, '127.0.0.1')
    }
    const socket = upstream
    forward(message, (bytes) => socket.send(bytes, options.target.port, options.target.host))
  })

  return {
    port: front.address().port,
    setFaults(next) {
      faults = checkFaults({ ...faults, ...next })
    },
    partition() {
      partitioned = true
    },
    heal() {
      partitioned = false
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      const sockets = [front, ...upstreams.values()]
      upstreams.clear()
      await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))))
    },
  }
}
