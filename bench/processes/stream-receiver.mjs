/**
 * The receiving side of the tcp and ws scenarios, alone in its process:
 * `stream-receiver.mjs tcp|ws hb|raw`, on 127.0.0.1, port from `info.port`.
 *
 * hb: a monitor on `@hb/tcp` or `@hb/ws`; a beat counts once verified,
 * replay-checked, recorded and acked (`stats().accepted`).
 * raw tcp: a `node:net` server that splits the stream on its 4-byte length
 * prefixes and counts frames, the simplest honest parser.
 * raw ws: a `ws` WebSocketServer (default options) that counts messages.
 */
import { createServer } from 'node:net'
import { createMonitor } from '@hb/core'
import { WebSocketServer } from 'ws'
import { SECRET } from '../lib/frames.mjs'
import { onLengthPrefixedFrames } from '../lib/length-prefixed.mjs'
import { serveParent, waitForCount } from '../lib/serve.mjs'

const [kind, mode] = process.argv.slice(2)

async function startHb() {
  const transport = kind === 'tcp'
    ? (await import('@hb/tcp')).createTcpServer({ host: '127.0.0.1', port: 0 })
    : (await import('@hb/ws')).createWsServer({ host: '127.0.0.1', port: 0 })
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

function listening(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server.address().port))
  })
}

async function startRawTcp() {
  let count = 0
  const sockets = new Set()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    onLengthPrefixedFrames(socket, () => {
      count++
    })
  })
  const port = await listening(server)
  return {
    port,
    count: () => count,
    extra: () => ({ received: count, connections: sockets.size }),
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

async function startRawWs() {
  let count = 0
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined)
    ws.on('message', () => {
      count++
    })
  })
  await new Promise((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  return {
    port: wss.address().port,
    count: () => count,
    extra: () => ({ received: count, connections: wss.clients.size }),
    close: () => {
      for (const ws of wss.clients) ws.terminate()
      return new Promise((resolve) => wss.close(resolve))
    },
  }
}

const server = mode.startsWith('hb') ? await startHb() : kind === 'tcp' ? await startRawTcp() : await startRawWs()
serveParent(
  {
    count: () => server.count(),
    waitFor: (options) => waitForCount(server.count, options),
    stats: () => server.extra(),
    cpu: () => process.cpuUsage(),
  },
  { port: server.port, kind, mode },
  () => server.close(),
)
