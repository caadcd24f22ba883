/**
 * A beater's transport that can be pointed at any of several monitors: one
 * in-memory datagram client per monitor, and `route(i)` picks where the next
 * frames go. This is a peer moving between monitors (a balancer reshuffle).
 */
import type { ClientTransport } from '@hb/core'
import type { MemoryTransportPair } from '@hb/core/testing'

export interface RoutedTransport {
  readonly transport: ClientTransport
  route(index: number): void
  readonly current: number
}

export function createRoutedTransport(pairs: readonly MemoryTransportPair[], initial = 0): RoutedTransport {
  const clients = pairs.map((pair) => pair.createClient())
  let current = initial
  const transport: ClientTransport = {
    name: 'memory',
    kind: 'datagram',
    encoding: 'binary',
    async connect(handler, options) {
      await Promise.all(clients.map((client) => client.connect(handler, options)))
    },
    send: (bytes) => (clients[current] as ClientTransport).send(bytes),
    async close() {
      await Promise.all(clients.map((client) => client.close()))
    },
  }
  return {
    transport,
    route(index) {
      current = index
    },
    get current() {
      return current
    },
  }
}
