// A runnable tour of @hb/core with no network: a monitor and three beaters joined by
// the in-memory transport, on the real clock. One beater leaves with `bye`, one
// crashes (stops silently), one stays. Run it with `pnpm example` from the repo root.
import { createBeater, createMonitor } from '@hb/core'
import { createMemoryTransportPair } from '@hb/core/testing'

const secret = 'example-secret'
const started = performance.now()
const at = () => `${String(Math.round(performance.now() - started)).padStart(5)} ms`
const log = (...parts) => console.log(at(), ...parts)

const pair = createMemoryTransportPair()
const monitor = createMonitor({ secret, timeoutMs: 600, transports: [pair.server] })
monitor.on('online', (peer) => log(`online   ${peer.id}`))
monitor.on('suspect', (peer) => log(`suspect  ${peer.id}   (its connection dropped; not convicted yet)`))
monitor.on('recover', (peer) => log(`recover  ${peer.id}`))
monitor.on('offline', (peer, reason) => log(`offline  ${peer.id}   reason: ${reason}`))
monitor.on('rejected', (info) => log(`rejected ${info.reason} from ${info.remoteAddress}`))
await monitor.start()

const beaters = {}
for (const id of ['alpha', 'bravo', 'charlie']) {
  const transport = id === 'alpha' ? pair.client : pair.createClient()
  const beater = createBeater({ id, secret, transport, intervalMs: 150 })
  beaters[id] = { beater, stop: beater.start() }
}
let acks = 0
beaters.charlie.beater.on('ack', ({ rttMs }) => {
  if (++acks % 5 === 0) log(`ack      charlie  rtt ${rttMs.toFixed(3)} ms`)
})

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
await wait(800)
log('alpha stops with bye: offline at once')
await beaters.alpha.stop()
await wait(300)
log('bravo crashes (no bye): suspect on link loss, offline after the 600 ms timeout')
await beaters.bravo.stop({ bye: false })
await wait(900)

log('someone replays one of charlie\'s captured frames:')
const captured = []
const spy = createMemoryTransportPair({ tap: (direction, bytes) => direction === 'to-server' && captured.push(bytes) })
const spyMonitor = createMonitor({ secret, transports: [spy.server] })
spyMonitor.on('rejected', (info) => log(`rejected ${info.reason} (a captured frame sent again)`))
await spyMonitor.start()
const spied = createBeater({ id: 'charlie', secret, transport: spy.client, intervalMs: 100 })
const stopSpied = spied.start()
await wait(50)
spy.inject(captured[0])
await stopSpied({ bye: false })
await spyMonitor.close()

const peers = monitor.peers().map((p) => `${p.id}=${p.state}`).join(', ')
log(`peers now: ${peers}`)
await beaters.charlie.stop()
await monitor.close()
log('done: monitor closed, no timers or sockets left')
