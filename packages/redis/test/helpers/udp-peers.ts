/**
 * Many beaters in one process, all sending through one dgram socket; each
 * can be pointed at any monitor's port (a peer moving between monitors).
 * One-way (monitors run with `acks: false`), so nothing comes back.
 */
import { createBeater } from '@hb/core'
import type { ClientTransport, StopFunction } from '@hb/core'
import { createSocket } from 'node:dgram'
import { SECRET } from './cluster-harness.js'

export interface UdpPeers {
  /** Index of the monitor each peer beats to. */
  readonly routes: number[]
  /** `Date.now()` of each peer's last frame sent to each monitor. */
  readonly lastSent: number[][]
  /** `Date.now()` of the frame before that one (to each monitor). */
  readonly previousSent: number[][]
  move(peer: number, monitor: number): void
  stop(peer: number, bye: boolean): Promise<void>
  close(): Promise<void>
}

export async function startUdpPeers(count: number, ports: readonly number[], intervalMs: number, idOf: (i: number) => string): Promise<UdpPeers> {
  const socket = createSocket('udp4')
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const routes = Array.from({ length: count }, (_, i) => i % ports.length)
  const lastSent = Array.from({ length: count }, () => ports.map(() => -Infinity))
  const previousSent = Array.from({ length: count }, () => ports.map(() => -Infinity))
  const stops: (StopFunction | undefined)[] = []
  for (let i = 0; i < count; i++) {
    const transport: ClientTransport = {
      name: 'udp',
      kind: 'datagram',
      encoding: 'binary',
      connect: async () => {},
      send(bytes) {
        const target = routes[i] as number
        ;(previousSent[i] as number[])[target] = (lastSent[i] as number[])[target] as number
        ;(lastSent[i] as number[])[target] = Date.now()
        return new Promise((resolve) => socket.send(bytes, ports[target], '127.0.0.1', () => resolve()))
      },
      close: async () => {},
    }
    stops.push(createBeater({ id: idOf(i), secret: SECRET, transport, intervalMs, expectAcks: false }).start())
  }
  return {
    routes,
    lastSent,
    previousSent,
    move(peer, monitor) {
      routes[peer] = monitor
    },
    async stop(peer, bye) {
      const stop = stops[peer]
      stops[peer] = undefined
      await stop?.({ bye })
    },
    async close() {
      await Promise.all(stops.map((stop) => stop?.({ bye: false })))
      await new Promise<void>((resolve) => socket.close(() => resolve()))
    },
  }
}
