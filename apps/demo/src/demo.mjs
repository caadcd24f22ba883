// The hb demo as a function of its clock: one monitor serving HTTP, TCP, WebSocket and
// UDP on localhost, simulated clients on each, and a scripted story: some clients leave
// with `bye` (offline at once, reason `left`), some crash (offline after the timeout,
// reason `timeout`; on TCP and WS the dropped connection makes them `suspect` first),
// one comes back. main.mjs runs it on the system clock; the test runs the same story
// on a fake clock over the same real sockets, and moves time itself.
import { createMonitor, systemClock } from '@hb/core'
import { createClientTransport, startClient } from './clients.mjs'
import { createServers } from './servers.mjs'
import { createTimeline } from './timeline.mjs'

export const secret = 'demo-secret-change-me'
export const timeoutMs = 1500
export const intervalMs = 300
/** The transports, in the order the demo starts their clients. */
export const transportNames = ['udp', 'tcp', 'ws', 'http']

/**
 * Options, all optional: `clock` (systemClock), `random` (Math.random: the beats'
 * jitter), `print` (console.log), `colors` (false), `servers` (createServers():
 * `{ udp, tcp, ws, http }` server transports), `createTransport(name, address)`
 * (the real client transports).
 */
export function createDemo(options = {}) {
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const createTransport = options.createTransport ?? createClientTransport
  const servers = options.servers ?? createServers()
  const timeline = createTimeline({ now: () => clock.now(), print: options.print, colors: options.colors })
  // Every pause of the story is a timer on the demo's clock: real time in main.mjs,
  // moved by hand in the test.
  const pause = (ms) => new Promise((resolve) => clock.setTimeout(resolve, ms))

  const monitor = createMonitor({ secret, timeoutMs, clock, transports: Object.values(servers) })
  monitor.on('online', (peer) => timeline.event('online', peer.id, `via ${peer.transport} from ${peer.remoteAddress}`))
  monitor.on('suspect', (peer) => timeline.event('suspect', peer.id, 'its connection dropped; not convicted yet'))
  monitor.on('recover', (peer) => timeline.event('recover', peer.id))
  monitor.on('offline', (peer, reason) => timeline.event('offline', peer.id, `reason: ${reason}`))
  monitor.on('rejected', (info) => timeline.event('rejected', info.peerId ?? '?', `${info.reason} from ${info.remoteAddress}`))

  const clients = new Map()
  let addresses
  const start = (id, transport) => {
    clients.set(id, startClient({ id, transport, address: addresses[transport], secret, intervalMs, clock, random, createTransport }))
  }
  const stopClient = async (id, bye) => {
    const client = clients.get(id)
    clients.delete(id)
    await client.stop({ bye })
  }
  const printPeers = () => {
    timeline.note('peers:')
    timeline.table(
      monitor.peers()
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((p) => `${p.id.padEnd(14)} ${p.state.padEnd(8)} ${p.transport.padEnd(5)} rtt ${p.rttMs === undefined ? '–' : `${p.rttMs} ms`}`),
    )
  }

  /** The story; with `until` (a promise), the clients just beat until it settles. */
  async function run({ until } = {}) {
    await monitor.start()
    addresses = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.address()]))
    timeline.note(`monitor up (timeout ${timeoutMs} ms): ${transportNames.map((n) => `${n} ${addresses[n].port}`).join(', ')}`)
    for (const transport of transportNames) {
      start(`${transport}-sensor`, transport)
      start(`${transport}-worker`, transport)
    }

    if (until !== undefined) {
      timeline.note('running until Ctrl-C')
      await until
    } else {
      await pause(1200)
      printPeers()
      timeline.note('udp-worker and http-worker leave with bye: offline at once, reason left')
      await Promise.all([stopClient('udp-worker', true), stopClient('http-worker', true)])
      await pause(300)
      timeline.note('tcp-worker, ws-worker and udp-sensor crash (no bye): TCP and WS links drop, UDP just goes quiet')
      await Promise.all([stopClient('tcp-worker', false), stopClient('ws-worker', false), stopClient('udp-sensor', false)])
      await pause(timeoutMs + 500)
      timeline.note('udp-sensor restarts: a new incarnation, so its old sequence numbers do not lock it out')
      start('udp-sensor', 'udp')
      await pause(1200)
      printPeers()
    }

    timeline.note('stopping every client with bye, then closing the monitor')
    await Promise.all([...clients.keys()].map((id) => stopClient(id, true)))
    await monitor.close()
    timeline.note(`done: ${monitor.stats().accepted} frames accepted, every socket and timer released`)
  }

  return { monitor, run }
}
