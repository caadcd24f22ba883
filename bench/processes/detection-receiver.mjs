/**
 * The receiving side of the detection scenario, alone in its process:
 * `detection-receiver.mjs hb|hb-one-way|naive <timeoutMs>`, a TCP server on
 * 127.0.0.1 (port in `info.port`) fed by processes/detection-load.mjs.
 *
 * For every victim peer (id starting with `v`) that goes offline, it records
 * the detection error: the time of the offline decision minus the deadline,
 * the deadline being the last accepted beat's arrival + timeoutMs, both read
 * from this process's monotonic clock. Negative means early.
 *
 * hb: a monitor on `@hb/tcp` (default tick: timeoutMs / 20, 10…100 ms; acks on,
 * or off for `hb-one-way`); the time is taken in its `offline` listener, and
 * the last beat is `peer.lastSeen`.
 * naive: the Map + `setTimeout`-per-peer tracker on a plain `node:net` server
 * that splits the stream on its 4-byte length prefixes (as the tcp scenario's
 * baseline does), verifying each frame with `@hb/core`'s `verifyFrame` so
 * that it does the same cryptographic work per beat; the time is taken in the
 * timer callback. It sends nothing back.
 */
import { createServer } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createKeyResolver, verifyFrame } from '@hb/core/protocol'
import { createMonitor } from '@hb/core'
import { createTcpServer } from '@hb/tcp'
import { SECRET } from '../lib/frames.mjs'
import { onLengthPrefixedFrames } from '../lib/length-prefixed.mjs'
import { serveParent, wallNow, waitForCount } from '../lib/serve.mjs'

const [mode, timeoutArg] = process.argv.slice(2)
const timeoutMs = Number(timeoutArg)
let errors = []

async function startHb() {
  const transport = createTcpServer({ host: '127.0.0.1', port: 0 })
  const monitor = createMonitor({ secret: SECRET, timeoutMs, transports: [transport], acks: mode !== 'hb-one-way' })
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
  const sockets = new Set()
  let accepted = 0
  let rejected = 0
  const onTimeout = (id) => {
    const entry = peers.get(id)
    peers.delete(id)
    if (id.startsWith('v')) errors.push(performance.now() - (entry.lastSeen + timeoutMs))
  }
  const onFrame = (bytes) => {
    const verified = verifyFrame(bytes, keys, 2048)
    if (!verified.ok) {
      rejected++
      return
    }
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
  }
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    onLengthPrefixedFrames(socket, (buffer, start, end) => onFrame(buffer.subarray(start, end)))
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: server.address().port,
    count: () => accepted,
    stats: () => ({ accepted, rejected, peers: peers.size, connections: sockets.size }),
    close: () => {
      for (const entry of peers.values()) clearTimeout(entry.timer)
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

const server = mode.startsWith('hb') ? await startHb() : await startNaive()
const loopDelay = monitorEventLoopDelay({ resolution: 5 })
loopDelay.enable()

// Progress samples (wall time, frames counted) while a run is tracked.
let tracking
function track({ everyMs = 10, maxMs = 60_000 }) {
  untrack()
  const samples = { wall: [], count: [] }
  const started = performance.now()
  const timer = setInterval(() => {
    samples.wall.push(wallNow())
    samples.count.push(server.count())
    if (performance.now() - started > maxMs) untrack()
  }, everyMs)
  tracking = { samples, timer }
  return { startedAtWall: wallNow() }
}
function untrack() {
  if (tracking === undefined) return { wall: [], count: [] }
  clearInterval(tracking.timer)
  const { samples } = tracking
  tracking = undefined
  return samples
}

serveParent(
  {
    count: () => server.count(),
    stats: () => server.stats(),
    cpu: () => process.cpuUsage(),
    waitFor: (options) => waitForCount(server.count, options),
    track,
    untrack,
    /** Event-loop delay since the last call (what makes timers late), in ms. */
    loopDelay() {
      const delay = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
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
    /** Drops recorded errors (of peers that were not victims of a measured run). */
    clear() {
      const dropped = errors.length
      errors = []
      return { dropped }
    },
  },
  { port: server.port, mode },
  () => server.close(),
)
