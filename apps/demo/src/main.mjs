// hb demo: one monitor serving HTTP, TCP, WebSocket and UDP on localhost, simulated
// clients on each, and a scripted story: some clients leave with `bye` (offline at
// once, reason `left`), some crash (offline after the timeout, reason `timeout`; on
// TCP and WS the dropped connection makes them `suspect` first), one comes back.
//
//   node apps/demo/src/main.mjs            runs the story (about 8 s) and exits
//   node apps/demo/src/main.mjs --forever  keeps the clients beating until Ctrl-C
import { createMonitor } from '@hb/core'
import { createHttpServer } from '@hb/http'
import { createTcpServer } from '@hb/tcp'
import { createUdpServer } from '@hb/udp'
import { createWsServer } from '@hb/ws'
import { startClient } from './clients.mjs'
import { createTimeline } from './timeline.mjs'

const forever = process.argv.includes('--forever')
const secret = 'demo-secret-change-me'
const timeoutMs = 1500
const intervalMs = 300
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const timeline = createTimeline()

const servers = {
  http: createHttpServer({ host: '127.0.0.1', port: 0, path: '/heartbeat' }),
  tcp: createTcpServer({ host: '127.0.0.1', port: 0 }),
  ws: createWsServer({ host: '127.0.0.1', port: 0 }),
  udp: createUdpServer({ host: '127.0.0.1', port: 0 }),
}
const monitor = createMonitor({ secret, timeoutMs, transports: Object.values(servers) })
monitor.on('online', (peer) => timeline.event('online', peer.id, `via ${peer.transport} from ${peer.remoteAddress}`))
monitor.on('suspect', (peer) => timeline.event('suspect', peer.id, 'its connection dropped; not convicted yet'))
monitor.on('recover', (peer) => timeline.event('recover', peer.id))
monitor.on('offline', (peer, reason) => timeline.event('offline', peer.id, `reason: ${reason}`))
monitor.on('rejected', (info) => timeline.event('rejected', info.peerId ?? '?', `${info.reason} from ${info.remoteAddress}`))
await monitor.start()

const addresses = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.address()]))
timeline.note(`monitor up (timeout ${timeoutMs} ms): ${Object.entries(addresses).map(([n, a]) => `${n} ${a.port}`).join(', ')}`)

const clients = new Map()
const start = (id, transport) => clients.set(id, startClient({ id, transport, address: addresses[transport], secret, intervalMs }))
for (const transport of ['udp', 'tcp', 'ws', 'http']) {
  start(`${transport}-sensor`, transport)
  start(`${transport}-worker`, transport)
}

const printPeers = () => {
  timeline.note('peers:')
  timeline.table(
    monitor.peers()
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((p) => `${p.id.padEnd(14)} ${p.state.padEnd(8)} ${p.transport.padEnd(5)} rtt ${p.rttMs === undefined ? '–' : `${p.rttMs} ms`}`),
  )
}

const stopClient = async (id, bye) => {
  const client = clients.get(id)
  clients.delete(id)
  await client.stop({ bye })
}

if (forever) {
  timeline.note('running until Ctrl-C')
  await new Promise((resolve) => process.once('SIGINT', resolve))
} else {
  await wait(1200)
  printPeers()
  timeline.note('udp-worker and http-worker leave with bye: offline at once, reason left')
  await Promise.all([stopClient('udp-worker', true), stopClient('http-worker', true)])
  await wait(300)
  timeline.note(`tcp-worker, ws-worker and udp-sensor crash (no bye): TCP and WS links drop, UDP just goes quiet`)
  await Promise.all([stopClient('tcp-worker', false), stopClient('ws-worker', false), stopClient('udp-sensor', false)])
  await wait(timeoutMs + 500)
  timeline.note('udp-sensor restarts: a new incarnation, so its old sequence numbers do not lock it out')
  start('udp-sensor', 'udp')
  await wait(1200)
  printPeers()
}

timeline.note('stopping every client with bye, then closing the monitor')
await Promise.all([...clients.keys()].map((id) => stopClient(id, true)))
await monitor.close()
timeline.note(`done: ${monitor.stats().accepted} frames accepted, every socket and timer released`)
