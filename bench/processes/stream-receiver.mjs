/**
 * The receiving side of the tcp and ws scenarios, alone in its process:
 * `stream-receiver.mjs tcp|ws hb|hb-every|hb-one-way|raw|echo`, on 127.0.0.1,
 * port from `info.port`.
 *
 * hb: a monitor on `@hb/tcp` or `@hb/ws`; a beat counts once verified,
 * replay-checked, recorded and (when it asked) acked (`stats().accepted`).
 * hb-every is the same monitor loaded with beats that all ask for an ack;
 * hb-one-way runs with `acks: false`.
 * raw tcp: a `node:net` server that splits the stream on its 4-byte length
 * prefixes and counts frames, the simplest honest parser.
 * raw ws: a `ws` WebSocketServer (default options) that counts messages.
 * echo: the same, answering every frame / message with a reply the size of
 * hb's ack (no crypto). Its replies are batched as hb's are (the socket
 * corked while a read's frames are answered, TCP; until the microtask after
 * a message, ws), so both write with the same syscall pattern.
 */
import { createServer } from 'node:net'
import { createMonitor } from '@hb/core'
import { WebSocketServer } from 'ws'
import { SECRET, ackSizedReply } from '../lib/frames.mjs'
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

async function startRawTcp({ echo }) {
  let count = 0
  const sockets = new Set()
  const ack = ackSizedReply('binary')
  const reply = Buffer.allocUnsafe(4 + ack.length)
  reply.writeUInt32BE(ack.length, 0)
  ack.copy(reply, 4)
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    if (echo) {
      // Corked for the read, as @hb/tcp does: one writev per read for all its replies.
      socket.on('data', () => socket.cork())
      onLengthPrefixedFrames(socket, () => {
        count++
        socket.write(reply)
      })
      socket.on('data', () => socket.uncork())
      return
    }
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

async function startRawWs({ echo }) {
  let count = 0
  const reply = ackSizedReply('binary')
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (ws, request) => {
    ws.on('error', () => undefined)
    if (!echo) {
      ws.on('message', () => {
        count++
      })
      return
    }
    // Corked until the next microtask, as @hb/ws does, so one read's replies leave in one writev.
    const socket = request.socket
    let corked = false
    const uncork = () => {
      corked = false
      socket.uncork()
    }
    ws.on('message', () => {
      count++
      if (!corked) {
        corked = true
        socket.cork()
        queueMicrotask(uncork)
      }
      ws.send(reply, { binary: true })
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

const echo = mode === 'echo'
const server = mode.startsWith('hb') ? await startHb() : kind === 'tcp' ? await startRawTcp({ echo }) : await startRawWs({ echo })
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
