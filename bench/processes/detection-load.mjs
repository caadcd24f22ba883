/**
 * The load generator of the detection scenario, alone in its process. It
 * holds TCP connections to one receiver, one peer per connection: background
 * connections and victim connections.
 *
 * `connect` opens a fresh set of connections (a run's peers are new peers);
 * `prepare` signs and frames every beat of a run in advance and lays them out
 * as a schedule of writes per millisecond: every millisecond, `rate / 1000`
 * beats, of which the victims' beats due in that millisecond (one beat per
 * write, as a beater writes) and the rest background beats, `batch` beats of
 * one peer per write, round-robin over the background connections (so each
 * background peer's beats leave in bursts of `batch`, and the receiver's reads
 * carry several frames each). Every peer's first frame is a signed `hello`.
 * Victims beat every `victimIntervalMs` from a random phase until a random
 * stop time and then fall silent, their socket left open: only the heartbeat
 * timeout can convict them, not a socket close.
 *
 * `send` writes the schedule paced (on a 1 ms timer, everything due so far)
 * and reports the rate it achieved, its own CPU time, and its progress
 * (wall time, frames written) so the scenario can tell how far behind the
 * receiver fell. Whatever comes back (acks) is read and discarded.
 * `disconnect` closes every connection. It stops by itself after its limit.
 */
import { connect as netConnect } from 'node:net'
import { checkAgainstCore, createFrameMaker, peerId } from '../lib/frames.mjs'
import { serveParent, sleep, wallNow } from '../lib/serve.mjs'

checkAgainstCore()
const make = createFrameMaker('binary')
let sockets = []
let backgroundCount = 0
let victimCount = 0
let prefixes = { background: 'b', victim: 'v' }
let schedule

const ignore = () => undefined

function open(port) {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1', noDelay: true })
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      socket.on('error', ignore)
      socket.on('data', ignore) // the acks: read and dropped
      resolve(socket)
    })
  })
}

function disconnect() {
  const closed = sockets.length
  for (const socket of sockets) socket.destroy()
  sockets = []
  return { closed }
}

/** Opens `background` + `victims` connections (the previous set is closed first). */
async function connect({ port, background, victims, tag }) {
  disconnect()
  const started = performance.now()
  const total = background + victims
  for (let first = 0; first < total; first += 200) {
    const batch = []
    for (let i = first; i < Math.min(total, first + 200); i++) batch.push(open(port))
    sockets.push(...(await Promise.all(batch)))
  }
  backgroundCount = background
  victimCount = victims
  prefixes = { background: `b${tag}`, victim: `v${tag}` }
  return { connections: sockets.length, connectMs: performance.now() - started }
}

/**
 * Lays out and signs a run: see the header. `victims` ≤ the victim connections
 * opened; 0 makes a background-only run (calibration).
 */
function prepare({ rate, durationMs, victims = victimCount, victimIntervalMs, stopWindowMs, batch, incarnation, helloIntervalMs }) {
  const started = performance.now()
  if (victims > victimCount) throw new Error(`only ${victimCount} victim connections are open`)
  // Victim beats by millisecond.
  const victimsAt = new Array(durationMs)
  const stopAtMs = new Float64Array(victims)
  for (let v = 0; v < victims; v++) {
    const stopAt = stopWindowMs[0] + Math.random() * (stopWindowMs[1] - stopWindowMs[0])
    stopAtMs[v] = stopAt
    for (let t = Math.random() * victimIntervalMs; t <= stopAt && t < durationMs; t += victimIntervalMs) {
      ;(victimsAt[Math.floor(t)] ??= []).push(v)
    }
  }
  // First pass: the writes (connection, frames), in order, and where each millisecond ends.
  const writeConnection = []
  const writeFrames = []
  const tickEnd = new Int32Array(durationMs)
  let owed = 0
  let previousTarget = 0
  let next = 0
  let frames = 0
  for (let t = 0; t < durationMs; t++) {
    const target = Math.round(((t + 1) * rate) / 1000)
    const due = victimsAt[t] ?? []
    for (const v of due) {
      writeConnection.push(backgroundCount + v)
      writeFrames.push(1)
    }
    owed += target - previousTarget - due.length
    previousTarget = target
    while (owed >= batch) {
      writeConnection.push(next)
      writeFrames.push(batch)
      next = (next + 1) % backgroundCount
      owed -= batch
    }
    tickEnd[t] = writeConnection.length
  }
  // Second pass: sign every frame, length-prefixed, into one buffer; each write is a slice of it.
  const seqs = new Uint32Array(sockets.length)
  const sample = make({ type: 'hello', peerId: peerId(prefixes.background, 0), keyId: '', incarnation, seq: 0, timestampMs: Date.now(), intervalMs: helloIntervalMs })
  for (const count of writeFrames) frames += count
  const wire = Buffer.allocUnsafe(frames * (4 + sample.length))
  const writeEnd = new Int32Array(writeConnection.length)
  const cumulativeFrames = new Int32Array(writeConnection.length)
  let offset = 0
  let written = 0
  let timestampMs = Date.now()
  for (let w = 0; w < writeConnection.length; w++) {
    if ((w & 1023) === 0) timestampMs = Date.now()
    const c = writeConnection[w]
    const id = c < backgroundCount ? peerId(prefixes.background, c) : peerId(prefixes.victim, c - backgroundCount)
    for (let k = 0; k < writeFrames[w]; k++) {
      const seq = seqs[c]++
      const frame = seq === 0
        ? make({ type: 'hello', peerId: id, keyId: '', incarnation, seq, timestampMs, intervalMs: helloIntervalMs })
        : make({ type: 'beat', peerId: id, keyId: '', incarnation, seq, timestampMs })
      wire.writeUInt32BE(frame.length, offset)
      wire.set(frame, offset + 4)
      offset += 4 + frame.length
    }
    written += writeFrames[w]
    writeEnd[w] = offset
    cumulativeFrames[w] = written
  }
  schedule = { rate, durationMs, wire, writeConnection: Int32Array.from(writeConnection), writeEnd, cumulativeFrames, tickEnd, frames }
  const victimFrames = writeFrames.reduce((sum, count, w) => sum + (writeConnection[w] >= backgroundCount ? count : 0), 0)
  return {
    frames,
    writes: writeConnection.length,
    victimFrames,
    victims,
    framesPerWrite: frames / writeConnection.length,
    signMs: performance.now() - started,
    lastStopAtMs: victims > 0 ? Math.max(...stopAtMs) : null,
  }
}

/** Writes the prepared schedule, paced; resolves once every write was issued and flushed. */
async function send() {
  const { wire, writeConnection, writeEnd, cumulativeFrames, tickEnd, durationMs, frames } = schedule
  const cpuBefore = process.cpuUsage()
  const progressMs = []
  const progressFrames = []
  let w = 0
  let skipped = 0
  const start = performance.now()
  const startWall = wallNow()
  await new Promise((resolve) => {
    const pump = () => {
      const elapsed = performance.now() - start
      const ticks = Math.min(durationMs, Math.floor(elapsed) + 1)
      const end = tickEnd[ticks - 1]
      for (; w < end; w++) {
        const socket = sockets[writeConnection[w]]
        if (socket.destroyed) {
          skipped += cumulativeFrames[w] - (w > 0 ? cumulativeFrames[w - 1] : 0)
          continue
        }
        socket.write(wire.subarray(w > 0 ? writeEnd[w - 1] : 0, writeEnd[w]))
      }
      progressMs.push(Math.round((performance.now() - start) * 100) / 100)
      progressFrames.push(w > 0 ? cumulativeFrames[w - 1] : 0)
      if (ticks < durationMs) setTimeout(pump, 1)
      else resolve()
    }
    pump()
  })
  const issuedMs = performance.now() - start
  const issuedAtWall = wallNow()
  // Then wait (bounded) for the kernel to take what is still queued in user space.
  while (sockets.some((s) => s.writableLength > 0) && performance.now() - start < issuedMs + 10_000) await sleep(2)
  const cpu = process.cpuUsage(cpuBefore)
  schedule = undefined
  // On schedule, the last millisecond's writes leave at durationMs − 1: the run spans durationMs.
  const spanMs = Math.max(durationMs, issuedMs + 1)
  return {
    sent: frames - skipped,
    skipped,
    issuedMs,
    startWall,
    issuedAtWall,
    flushedMs: performance.now() - start,
    achievedRate: frames / (spanMs / 1000),
    lateMs: issuedMs + 1 - durationMs,
    cpuMicroseconds: cpu.user + cpu.system,
    progress: { ms: progressMs, frames: progressFrames },
  }
}

serveParent({ connect, prepare, send, disconnect }, {}, async () => {
  disconnect()
})
