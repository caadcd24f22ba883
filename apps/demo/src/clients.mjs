// The simulated clients: one beater per (transport, name), with the transport's client.
import { createBeater } from '@hb/core'
import { createHttpClient } from '@hb/http'
import { createTcpClient } from '@hb/tcp'
import { createUdpClient } from '@hb/udp'
import { createWsClient } from '@hb/ws'

const clientFor = {
  udp: (a) => createUdpClient({ host: a.host, port: a.port }),
  tcp: (a) => createTcpClient({ host: a.host, port: a.port }),
  ws: (a) => createWsClient({ url: `ws://${a.host}:${a.port}` }),
  http: (a) => createHttpClient({ url: `http://${a.host}:${a.port}/heartbeat` }),
}

/** The client transport for `transport` (`udp`, `tcp`, `ws`, `http`) that reaches the server at `address`. */
export function createClientTransport(transport, address) {
  return clientFor[transport](address)
}

/**
 * Starts a beater for `id` over `transport`, beating the server at `address`.
 * `clock` and `random` (the beat jitter) come from the demo, so a test can drive it.
 */
export function startClient({ id, transport, address, secret, intervalMs, clock, random, createTransport = createClientTransport }) {
  const beater = createBeater({ id, secret, intervalMs, clock, random, transport: createTransport(transport, address) })
  const stop = beater.start()
  return { id, transport, beater, stop }
}
