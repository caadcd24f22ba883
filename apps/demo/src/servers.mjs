// The demo's four server transports, on localhost and ephemeral ports.
import { createHttpServer } from '@hb/http'
import { createTcpServer } from '@hb/tcp'
import { createUdpServer } from '@hb/udp'
import { createWsServer } from '@hb/ws'

/** One server transport per protocol, keyed by its name (`udp`, `tcp`, `ws`, `http`). */
export function createServers(host = '127.0.0.1') {
  return {
    udp: createUdpServer({ host, port: 0 }),
    tcp: createTcpServer({ host, port: 0 }),
    ws: createWsServer({ host, port: 0 }),
    http: createHttpServer({ host, port: 0, path: '/heartbeat' }),
  }
}
