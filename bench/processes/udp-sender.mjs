/**
 * The udp load generator, alone in its process. `prepare` signs every frame of
 * a trial in advance (distinct peers, increasing seqs, fresh timestamps);
 * each beat asks for an ack as a beater with the given `ackEvery` would.
 * `send` then sends them at a paced rate (what is due each millisecond) and reports the
 * rate it really achieved. It stops by itself after the trial.
 *
 * Its socket's receive buffer is kept tiny: the monitor's acks are not read
 * (the kernel drops them), so a trial against hb costs this process the same
 * as a trial against the counting baseline.
 */
import { createSocket } from 'node:dgram'
import { asksForAck, checkAgainstCore, createFrameMaker, peerId } from '../lib/frames.mjs'
import { serveParent, sleep } from '../lib/serve.mjs'

checkAgainstCore()
const make = createFrameMaker('binary')
const sockets = new Map()
let frames = []

async function socketFor(port) {
  let socket = sockets.get(port)
  if (socket === undefined) {
    socket = createSocket('udp4')
    socket.on('error', () => undefined)
    await new Promise((resolve, reject) => socket.connect(port, '127.0.0.1', (error) => (error ? reject(error) : resolve())))
    socket.setRecvBufferSize(4096)
    sockets.set(port, socket)
  }
  return socket
}

/** `ackEvery`: the beaters' ack pattern (PROTOCOL.md §6.3): 3 by default, 1 for every beat. */
function prepare({ count, peers, prefix, incarnation, ackEvery }) {
  const started = performance.now()
  frames = new Array(count)
  let timestampMs = Date.now()
  for (let k = 0; k < count; k++) {
    if ((k & 4095) === 0) timestampMs = Date.now()
    const index = k % peers
    const seq = Math.floor(k / peers)
    frames[k] = make({ type: 'beat', peerId: peerId(prefix, index), keyId: '', incarnation, seq, timestampMs, ackRequested: asksForAck(index, seq, ackEvery) })
  }
  return { count, signMs: performance.now() - started }
}

async function send({ port, rate }) {
  const socket = await socketFor(port)
  const total = frames.length
  let sent = 0
  const start = performance.now()
  await new Promise((resolve) => {
    const pump = () => {
      const due = Math.min(total, Math.ceil(((performance.now() - start) * rate) / 1000))
      while (sent < due) socket.send(frames[sent++])
      if (sent < total) setTimeout(pump, 1)
      else resolve()
    }
    pump()
  })
  while (socket.getSendQueueCount() > 0) await sleep(1)
  const elapsedMs = performance.now() - start
  frames = []
  // The last burst was due at (total − 1) / rate: the schedule's own length, not a shortfall.
  const scheduleMs = ((total - 1) * 1000) / rate
  return { sent: total, elapsedMs, achievedRate: total / (Math.max(elapsedMs, scheduleMs) / 1000), lateMs: elapsedMs - scheduleMs }
}

serveParent({ prepare, send }, {}, async () => {
  for (const socket of sockets.values()) socket.close()
})
