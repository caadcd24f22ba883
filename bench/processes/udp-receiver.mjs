/**
 * The receiving side of the udp scenario, alone in its process:
 * `udp-receiver.mjs hb|hb-every|hb-one-way|raw|echo <recvBufferSize>`, on 127.0.0.1, port from `info.port`.
 *
 * hb: a monitor on `@hb/udp`; a beat counts once it was verified, checked
 * against the replay window, recorded and acked (`stats().accepted`).
 * (hb-every is the same monitor, loaded with beats that all ask for an ack;
 * hb-one-way runs with `acks: false`.)
 * raw: the count-only baseline, a `node:dgram` socket that only counts datagrams.
 * echo: the acking baseline, a `node:dgram` socket that counts every datagram
 * and answers it with a reply the size of hb's ack (no crypto): the simplest
 * honest server that acknowledges every beat.
 * Both sockets get the same SO_RCVBUF, so the kernel buffers the same for both.
 */
import { createSocket } from 'node:dgram'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { createMonitor } from '@hb/core'
import { createUdpServer } from '@hb/udp'
import { SECRET, ackSizedReply } from '../lib/frames.mjs'
import { serveParent, waitForCount } from '../lib/serve.mjs'

const [mode, bufferArg] = process.argv.slice(2)
const recvBufferSize = Number(bufferArg)

async function startHb() {
  const transport = createUdpServer({ host: '127.0.0.1', port: 0, recvBufferSize })
  // hb-one-way: the monitor's one-way mode (acks: false), the same work the count-only baseline does on the wire.
  const monitor = createMonitor({ secret: SECRET, timeoutMs: 300_000, transports: [transport], acks: mode !== 'hb-one-way' })
  let online = 0
  let offline = 0
  monitor.on('online', () => online++)
  monitor.on('offline', () => offline++)
  await monitor.start()
  return {
    port: transport.address().port,
    count: () => monitor.stats().accepted,
    extra: () => ({ ...monitor.stats(), online, offline, peers: monitor.size }),
    close: () => monitor.close(),
  }
}

async function startRaw({ echo }) {
  const socket = createSocket('udp4')
  let count = 0
  const reply = ackSizedReply('binary')
  socket.on('error', () => undefined)
  socket.on('message', echo
    ? (_message, from) => {
        count++
        socket.send(reply, from.port, from.address)
      }
    : () => {
        count++
      })
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve))
  socket.setRecvBufferSize(recvBufferSize)
  return {
    port: socket.address().port,
    count: () => count,
    extra: () => ({ received: count }),
    close: () => new Promise((resolve) => socket.close(resolve)),
  }
}

const server = mode.startsWith('hb') ? await startHb() : await startRaw({ echo: mode === 'echo' })

// Pauses of this process during a trial: the longest event-loop delay and the longest
// garbage collection. A receiver that stalls longer than its receive buffer lasts at the
// trial's rate loses datagrams whatever its CPU per datagram.
const loopDelay = monitorEventLoopDelay({ resolution: 1 })
loopDelay.enable()
let gcMaxMs = 0
let gcCount = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcCount++
    gcMaxMs = Math.max(gcMaxMs, entry.duration)
  }
}).observe({ entryTypes: ['gc'] })
serveParent(
  {
    count: () => server.count(),
    waitFor: (options) => waitForCount(server.count, options),
    stats: () => server.extra(),
    cpu: () => process.cpuUsage(),
    resetPauses() {
      loopDelay.reset()
      gcMaxMs = 0
      gcCount = 0
    },
    pauses: () => ({ loopDelayMaxMs: loopDelay.max / 1e6, gcMaxMs, gcCount }),
  },
  { port: server.port, mode },
  () => server.close(),
)
