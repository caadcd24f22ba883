/**
 * The load generator of the tcp and ws scenarios, alone in its process:
 * `stream-sender.mjs tcp|ws`. It holds N connections to one receiver, one
 * peer per connection, each opened with a signed `hello` as a beater would.
 *
 * `prepare` signs and frames every beat of a trial in advance (TCP: 4-byte
 * length prefix; WS: a masked binary WebSocket frame, written straight to the
 * socket after a hand-made handshake, so the generator spends nothing on a
 * WebSocket client); `send` writes them paced, one beat per write (as a
 * beater does), round-robin over the connections, and reports the rate at
 * which it issued them. Each beat asks for an ack as a beater with the given
 * `ackEvery` would (PROTOCOL.md §6.3); every `hello` asks, as a beater's does. Whatever comes back (acks) is read and discarded.
 */
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { asksForAck, checkAgainstCore, createFrameMaker, peerId } from '../lib/frames.mjs'
import { serveParent, sleep, wallNow } from '../lib/serve.mjs'

const kind = process.argv[2]
checkAgainstCore()
const make = createFrameMaker('binary')
const connections = []
let prefix = 's'
let incarnation = 1
let frames = []

function frameForWire(frame) {
  if (kind === 'tcp') {
    const out = Buffer.allocUnsafe(4 + frame.length)
    out.writeUInt32BE(frame.length, 0)
    out.set(frame, 4)
    return out
  }
  if (frame.length > 125) throw new Error('bench frames fit a one-byte WebSocket length')
  const out = Buffer.allocUnsafe(6 + frame.length)
  out[0] = 0x82 // FIN, binary
  out[1] = 0x80 | frame.length // masked (a client must mask)
  randomBytes(4).copy(out, 2)
  for (let i = 0; i < frame.length; i++) out[6 + i] = frame[i] ^ out[2 + (i & 3)]
  return out
}

function open(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true })
    socket.once('error', reject)
    socket.once('connect', () => {
      if (kind === 'tcp') {
        socket.on('data', () => undefined)
        return resolve(socket)
      }
      const key = randomBytes(16).toString('base64')
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
      let head = ''
      const onHead = (chunk) => {
        head += chunk.toString('latin1')
        if (!head.includes('\r\n\r\n')) return
        socket.off('data', onHead)
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`))
        socket.on('data', () => undefined)
        resolve(socket)
      }
      socket.on('data', onHead)
    })
  })
}

async function connectAll({ port, count, peerPrefix }) {
  prefix = peerPrefix
  incarnation = Date.now()
  const started = performance.now()
  for (let first = 0; first < count; first += 100) {
    const batch = []
    for (let i = first; i < Math.min(count, first + 100); i++) batch.push(open(port))
    const sockets = await Promise.all(batch)
    for (const socket of sockets) {
      socket.on('error', () => undefined)
      const id = peerId(prefix, connections.length)
      connections.push({ socket, seq: 1, beats: 0 })
      socket.write(frameForWire(make({ type: 'hello', peerId: id, keyId: '', incarnation, seq: 0, timestampMs: Date.now(), intervalMs: 1000, ackRequested: true })))
    }
  }
  return { connections: connections.length, connectMs: performance.now() - started }
}

/** `ackEvery`: the beaters' ack pattern: 3 by default, 1 for every beat. */
function prepare({ count, ackEvery }) {
  const started = performance.now()
  frames = new Array(count)
  let timestampMs = Date.now()
  for (let k = 0; k < count; k++) {
    if ((k & 4095) === 0) timestampMs = Date.now()
    const index = k % connections.length
    const connection = connections[index]
    const ackRequested = asksForAck(index, connection.beats++, ackEvery)
    const frame = make({ type: 'beat', peerId: peerId(prefix, index), keyId: '', incarnation, seq: connection.seq++, timestampMs, ackRequested })
    frames[k] = frameForWire(frame)
  }
  return { count, signMs: performance.now() - started }
}

async function send({ rate }) {
  const total = frames.length
  const count = connections.length
  let sent = 0
  const start = performance.now()
  await new Promise((resolve) => {
    const pump = () => {
      const due = Math.min(total, Math.ceil(((performance.now() - start) * rate) / 1000))
      for (; sent < due; sent++) connections[sent % count].socket.write(frames[sent])
      if (sent < total) setTimeout(pump, 1)
      else resolve()
    }
    pump()
  })
  const issuedMs = performance.now() - start
  const issuedAtWall = wallNow()
  frames = []
  const scheduleMs = ((total - 1) * 1000) / rate
  // Then wait (bounded) for the kernel to take what is still queued in user space.
  while (connections.some((c) => c.socket.writableLength > 0) && performance.now() - start < issuedMs + 10_000) await sleep(2)
  return {
    sent: total,
    issuedMs,
    issuedAtWall,
    flushedMs: performance.now() - start,
    achievedRate: total / (Math.max(issuedMs, scheduleMs) / 1000),
  }
}

serveParent({ connect: connectAll, prepare, send }, { kind }, async () => {
  for (const { socket } of connections) socket.destroy()
})
