// `pnpm start` at the repository root (or `pnpm --filter @hb/server start`): hb serve with
// simulated beaters, so a newcomer sees the dashboard move. Peers beat over UDP, TCP, WebSocket
// and HTTP; every few seconds one of them leaves (bye), crashes (silence, offline after the
// timeout) or comes back. Stop with Ctrl-C.
//
// Needs the package built (`pnpm turbo run build --filter=@hb/server...`).
import { createBeater } from '@hb/core'
import { createClientTransport, createHbServer } from '@hb/server'

const secret = globalThis.crypto.getRandomValues(new Uint8Array(32))
const adminPort = Number(process.env.PORT ?? 7940)
const server = createHbServer(
  { udp: 0, tcp: 0, ws: 0, http: 0, host: '127.0.0.1', adminPort, secret, timeoutMs: 5000, sampleIntervalMs: 1000, logLevel: 'warn' },
)
await server.start()

const urls = {
  udp: `udp://127.0.0.1:${server.addresses().udp.port}`,
  tcp: `tcp://127.0.0.1:${server.addresses().tcp.port}`,
  ws: `ws://127.0.0.1:${server.addresses().ws.port}/`,
  http: `http://127.0.0.1:${server.addresses().http.port}/`,
}
const peers = Object.entries(urls).flatMap(([transport, url]) =>
  Array.from({ length: 6 }, (_, index) => ({ id: `${transport}-worker-${index + 1}`, url, stop: undefined })),
)

function start(peer) {
  const beater = createBeater({ id: peer.id, secret, intervalMs: 1000, transport: createClientTransport(peer.url) })
  peer.stop = beater.start()
}
for (const peer of peers) start(peer)

// Churn: one peer changes every 2 s.
const churn = setInterval(() => {
  const peer = peers[Math.floor(Math.random() * peers.length)]
  if (peer.stop === undefined) start(peer)
  else {
    void peer.stop({ bye: Math.random() < 0.5 })
    peer.stop = undefined
  }
}, 2000)

console.log(`hb is serving ${peers.length} simulated peers over udp, tcp, ws and http.`)
console.log(`Dashboard: ${server.adminUrl()}/   (metrics: ${server.adminUrl()}/metrics, API: ${server.adminUrl()}/api/peers)`)
console.log('Ctrl-C to stop.')

async function shutdown() {
  clearInterval(churn)
  await Promise.all(peers.filter((peer) => peer.stop !== undefined).map((peer) => peer.stop()))
  await server.close()
  process.exit(0)
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
