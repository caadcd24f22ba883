/**
 * A TCP fault proxy on loopback: each accepted connection is paired with one
 * to the target, and bytes are forwarded in order with delay and jitter. TCP
 * retransmits, so "loss" here is what the application sees of it: a chunk
 * held back by a retransmission timeout (and everything behind it, in
 * order). A partition holds every byte until heal (a black hole, the socket
 * stays up); `reset()` destroys every connection instead. Reordering and
 * duplication do not exist on a TCP stream and are ignored.
 */
import { createServer, connect } from 'node:net'
import type { Socket } from 'node:net'
import { createRandom } from '../study/random.js'
import type { Faults } from './faults.js'
import { checkFaults, emptyStats, noFaults } from './faults.js'
import type { FaultProxy, FaultProxyOptions } from './udp-fault-proxy.js'

export interface TcpFaultProxy extends FaultProxy {
  /** Destroys every proxied connection (both sides see a reset). */
  reset(): void
  readonly connections: number
}

interface Direction {
  readonly to: Socket
  /** When the last chunk queued this way is delivered: later chunks never overtake it. */
  lastDeliveryMs: number
  readonly held: Buffer[]
}

export async function createTcpFaultProxy(options: FaultProxyOptions): Promise<TcpFaultProxy> {
  let faults: Faults = checkFaults({ ...noFaults, ...options.faults })
  const random = createRandom(options.seed ?? 1)
  const stats = emptyStats()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const sockets = new Set<Socket>()
  const directions = new Set<Direction>()
  let partitioned = false
  let closed = false

  function schedule(direction: Direction, chunk: Buffer): void {
    const now = performance.now()
    let delay = faults.delayMs + (random.next() * 2 - 1) * faults.jitterMs
    if (random.next() < faults.lossRate) {
      delay += faults.retransmitMs
      stats.dropped++
    }
    const at = Math.max(direction.lastDeliveryMs, now + Math.max(0, delay))
    direction.lastDeliveryMs = at
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (closed || direction.to.destroyed) return
      stats.forwarded++
      direction.to.write(chunk)
    }, at - now)
    timers.add(timer)
  }

  function pipe(from: Socket, to: Socket): void {
    const direction: Direction = { to, lastDeliveryMs: 0, held: [] }
    directions.add(direction)
    from.on('data', (chunk: Buffer) => {
      if (partitioned) {
        stats.partitioned++
        direction.held.push(chunk)
      } else {
        schedule(direction, chunk)
      }
    })
    from.on('close', () => {
      directions.delete(direction)
      to.destroy()
    })
  }

  const server = createServer((client) => {
    if (closed) return void client.destroy()
    const upstream = connect(options.target.port, options.target.host)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.setNoDelay(true)
      socket.on('error', () => {})
      socket.on('close', () => sockets.delete(socket))
    }
    pipe(client, upstream)
    pipe(upstream, client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('tcp fault proxy: no port')

  return {
    port: address.port,
    setFaults(next) {
      faults = checkFaults({ ...faults, ...next })
    },
    partition() {
      partitioned = true
    },
    heal() {
      partitioned = false
      for (const direction of directions) {
        for (const chunk of direction.held.splice(0)) schedule(direction, chunk)
      }
    },
    reset() {
      for (const socket of sockets) socket.destroy()
    },
    get connections() {
      return sockets.size / 2
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
