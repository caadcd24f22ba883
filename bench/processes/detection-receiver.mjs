/**
 * The receiving side of the detection scenario, alone in its process:
 * `detection-receiver.mjs hb|naive <timeoutMs> <recvBufferSize>`.
 *
 * For every victim peer (id starting with `v`) that goes offline, it records
 * the detection error: the time of the offline decision minus the deadline,
 * the deadline being the last accepted beat's arrival + timeoutMs, both read
 * from this process's monotonic clock. Negative means early.
 *
 * hb: a monitor on `@hb/udp` (default tick: timeoutMs / 20, 10…100 ms); the
 * time is taken in its `offline` listener, and the last beat is `peer.lastSeen`.
 * naive: the Map + `setTimeout`-per-peer tracker on a `dgram` socket,
 * verifying each frame with `@hb/core`'s `verifyFrame` so that it does the
 * same cryptographic work per beat; the time is taken in the timer callback.
 */
import { createSocket } from 'node:dgram'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createKeyResolver, createMonitor, verifyFrame } from '@hb/core'
import { createUdpServer } from '@hb/udp'
import { SECRET } from '../lib/frames.mjs'
import { serveParent, waitForCount } from '../lib/serve.mjs'

const [mode, timeoutArg, bufferArg] = process.argv.slice(2)
const timeoutMs = Number(timeoutArg)
const recvBufferSize = Number(bufferArg)
let errors = []

async function startHb() {
  const transport = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize })
  const monitor = createMonitor({ secret: SECRET, timeoutMs, transports: [transport] })
  monitor.on('offline', (peer, reason) => {
    if (reason === 'timeout' && peer.id.startsWith('v')) errors.push(performance.now() - (peer.lastSeen + timeoutMs))
  })
  await monitor.start()
  return {
    port: transport.address().port,
    count: () => monitor.stats().accepted,
    stats: () => ({ ...monitor.stats(), peers: monitor.size }),
    close: () => monitor.close(),
  }
}

async function startNaive() {
  const keys = createKeyResolver({ secret: SECRET })
  const peers = new Map()
  let accepted = 0
  const onTimeout = (id) => {
    const entry = peers.get(id)
    peers.delete(id)
    if (id.startsWith('v')) errors.push(performance.now() - (entry.lastSeen + timeoutMs))
  }
  const socket = createSocket('udp4')
  socket.on('message', (message) => {
    const verified = verifyFrame(message, keys, 2048)
    if (!verified.ok) return
    accepted++
    const id = verified.frame.peerId
    const now = performance.now()
    const entry = peers.get(id)
    if (entry === undefined) {
      peers.set(id, { lastSeen: now, timer: setTimeout(() => onTimeout(id), timeoutMs) })
    } else {
      clearTimeout(entry.timer)
      entry.lastSeen = now
      entry.timer = setTimeout(() => onTimeout(id), timeoutMs)
    }
  })
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve))
  socket.setRecvBufferSize(recvBufferSize)
  return {
    port: socket.address().port,
    count: () => accepted,
    stats: () => ({ accepted, peers: peers.size }),
    close: () => {
      for (const entry of peers.values()) clearTimeout(entry.timer)
      return new Promise((resolve) => socket.close(resolve))
    },
  }
}

const server = mode === 'hb' ? await startHb() : await startNaive()
const loopDelay = monitorEventLoopDelay({ resolution: 5 })
loopDelay.enable()
serveParent(
  {
    count: () => server.count(),
    stats: () => server.stats(),
    /** Event-loop delay since the last call (what makes timers late), in ms. */
    loopDelay() {
      const delay = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
      loopDelay.reset()
      return delay
    },
    /** Resolves once `victims` offline decisions were recorded (or it stalled), and hands them over. */
    async take({ victims, maxMs }) {
      await waitForCount(() => errors.length, { target: victims, stallMs: maxMs, maxMs, everyMs: 20 })
      const taken = errors
      errors = []
      return taken
    },
  },
  { port: server.port, mode },
  () => server.close(),
)
