/**
 * The receiving side of the udp scenario, alone in its process:
 * `udp-receiver.mjs hb|raw <recvBufferSize>`, on 127.0.0.1, port from `info.port`.
 *
 * hb: a monitor on `@hb/udp`; a beat counts once it was verified, checked
 * against the replay window, recorded and acked (`stats().accepted`).
 * raw: the baseline, a `node:dgram` socket that only counts datagrams.
 * Both sockets get the same SO_RCVBUF, so the kernel buffers the same for both.
 */
import { createSocket } from 'node:dgram'
import { createMonitor } from '@hb/core'
import { createUdpServer } from '@hb/udp'
import { SECRET } from '../lib/frames.mjs'
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

async function startRaw() {
  const socket = createSocket('udp4')
  let count = 0
  socket.on('message', () => {
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

const server = mode.startsWith('hb') ? await startHb() : await startRaw()
serveParent(
  {
    count: () => server.count(),
    waitFor: (options) => waitForCount(server.count, options),
    stats: () => server.extra(),
    cpu: () => process.cpuUsage(),
  },
  { port: server.port, mode },
  () => server.close(),
)
