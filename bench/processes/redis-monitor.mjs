/**
 * One monitor process of the `redis` scenario and of `redis-memory.mjs`:
 * `redis-monitor.mjs hb|naive <redisUrl> <name> <count> <timeoutMs> <leaseMs> <intervalMs>`.
 *
 * `start`: its `count` peers beat every `intervalMs`, peer j at phase j/count
 * of the interval, generated here in 10 ms steps. hb: each beat is injected
 * into a monitor (its real ingest path) whose peers a Redis presence shares.
 * naive: each beat is one `SET <key> <name> PX <timeoutMs>` (the common
 * pattern; offline comes from keyspace notifications, read by the scenario).
 *
 * `register`: the same peers join once and stay (for memory at scale, where
 * a million peers beating every few seconds is more load than 2 cores can
 * generate): hb, each sends its hello and one beat through the same monitor
 * and presence; naive, each writes its one `SET … PX`.
 *
 * Frames are signed by the bench's template maker, checked byte for byte
 * against `@hb/core`'s `signFrame` at startup.
 */
import { createMonitor } from '@hb/core'
import { createMemoryTransportPair } from '@hb/core/testing'
import { createRedisPresence } from '@hb/redis'
import { createClient } from 'redis'
import { checkAgainstCore, createFrameMaker, peerId, SECRET } from '../lib/frames.mjs'
import { serveParent } from '../lib/serve.mjs'

const [mode, redisUrl, name, countText, timeoutText, leaseText, intervalText] = process.argv.slice(2)
const count = Number(countText)
const timeoutMs = Number(timeoutText)
const leaseMs = Number(leaseText)
const intervalMs = Number(intervalText)
const STEP_MS = 10

const redis = createClient({ url: redisUrl, RESP: 2 })
redis.on('error', () => {})
await redis.connect()

const idOf = (j) => peerId(name, j)
const silenced = new Uint8Array(count)
const lastBeat = new Float64Array(count)
const seq = new Uint32Array(count)
const incarnation = Date.now()
let beats = 0
let failedSets = 0
let lastError
let timer
let startedAt = 0
let monitor
let presence
let pair
checkAgainstCore()
// Per-peer templates only for the beating load: a registration signs each peer's frames once.
let make

if (mode === 'hb') {
  pair = createMemoryTransportPair({ kind: 'datagram' })
  monitor = createMonitor({ secret: SECRET, timeoutMs, transports: [pair.server], acks: false, maxPeers: count + 10 })
  await monitor.start()
  presence = createRedisPresence({ redis, monitor, namespace: 'bench', name, timeoutMs, leaseMs })
  // Redis trouble is retried by the presence; the last one is kept for the report.
  presence.on('error', (error) => {
    lastError = `${error?.constructor?.name}: ${error?.message}`
  })
  await presence.start()
}

/** The naive design's write for peer j: what every one of its beats sends, and its registration. */
const naiveSetArgs = (j) => ['SET', `{naive}:${idOf(j)}`, name, 'PX', String(timeoutMs)]

/** naive: the SETs of the current generator step, sent as one pipeline (the same commands, one promise). */
let pipeline
let pipelined = 0

function beat(j, now) {
  if (silenced[j] === 1) return
  lastBeat[j] = now
  beats++
  if (mode === 'naive') {
    pipeline ??= redis.multi()
    pipeline.addCommand(naiveSetArgs(j))
    pipelined++
    return
  }
  const first = seq[j] === 0
  const fields = { type: first ? 'hello' : 'beat', peerId: idOf(j), keyId: '', incarnation, seq: seq[j]++, timestampMs: Math.floor(now) }
  pair.inject(make(first ? { ...fields, intervalMs } : fields))
}

function sendPipeline() {
  if (pipeline === undefined) return
  const size = pipelined
  void pipeline.execAsPipeline().catch((error) => {
    failedSets += size
    lastError = `${error?.constructor?.name}: ${error?.message}`
  })
  pipeline = undefined
  pipelined = 0
}

let round = 0
let next = 0
// How far behind its schedule the generator is (ms), the most since the last stats(): a
// loaded machine makes it late, and then the beats it sends are not the load asked for.
let maxBehindMs = 0
/** Beats every peer whose due time (start + round × interval + its phase) has come. */
function generate() {
  const now = Date.now()
  for (let done = 0; done < count; done++) {
    if (startedAt + round * intervalMs + (next * intervalMs) / count > now) break
    beat(next, now)
    if (++next === count) {
      next = 0
      round++
    }
  }
  sendPipeline()
  maxBehindMs = Math.max(maxBehindMs, Date.now() - (startedAt + round * intervalMs + (next * intervalMs) / count))
  timer = setTimeout(generate, STEP_MS)
}

serveParent({
  async start() {
    if (mode === 'hb') make = createFrameMaker('binary')
    startedAt = Date.now()
    generate()
    return { startedAt }
  },
  /**
   * Peers [from, to) join and stay, `batch` at a time, each batch flushed to Redis before
   * the next (so no burst passes the replay store's bound and fails open). hb: a hello
   * (answered `pending` while the presence fetches the cluster's replay mark: the
   * monitor's real admission path) then a beat (accepted: the monitor's `online`, the
   * presence's claim script). Their `seq` starts at `seqStart` (how long the peers have
   * been up changes how many digits Redis stores). naive: the peer's `SET … PX`.
   */
  async register({ from = 0, to = count, batch = 5000, seqStart = 0 }) {
    const signOnce = createFrameMaker('binary', { cachePeers: false })
    const verdicts = { accepted: 0, pending: 0, other: {} }
    const tally = (verdict) => {
      if (verdict?.accepted === true) verdicts.accepted++
      else if (verdict?.reason === 'pending') verdicts.pending++
      else verdicts.other[verdict?.reason] = (verdicts.other[verdict?.reason] ?? 0) + 1
    }
    const startedMs = Date.now()
    for (let start = from; start < to; start += batch) {
      const end = Math.min(to, start + batch)
      if (mode === 'naive') {
        const writes = []
        for (let j = start; j < end; j++) writes.push(redis.sendCommand(naiveSetArgs(j)))
        await Promise.all(writes)
        verdicts.accepted += end - start
        continue
      }
      for (const [type, offset] of [['hello', 0], ['beat', 1]]) {
        const now = Date.now()
        for (let j = start; j < end; j++) {
          const fields = { type, peerId: idOf(j), keyId: '', incarnation, seq: seqStart + offset, timestampMs: now }
          tally(pair.inject(signOnce(type === 'hello' ? { ...fields, intervalMs } : fields)))
        }
        // The monitor's events and the presence's flush timer run on later turns.
        await new Promise((resolve) => setImmediate(resolve))
        await presence.flush()
      }
    }
    return { ...verdicts, ms: Date.now() - startedMs, presence: presence?.stats() }
  },
  async stats() {
    const behind = maxBehindMs
    maxBehindMs = 0
    return { beats, failedSets, lastError, maxBehindMs: behind, presence: presence?.stats(), held: monitor?.size, monitor: monitor?.stats() }
  },
  /** Peers [from, to) stop beating; returns their last beat (wall ms). */
  async silence({ from, to }) {
    const last = []
    for (let j = from; j < to; j++) {
      silenced[j] = 1
      last.push([idOf(j), lastBeat[j]])
    }
    return last
  },
  /** Last beat (wall ms) of every peer, for a process about to be killed. */
  async lastBeats() {
    return Array.from(lastBeat)
  },
}, { name }, async () => {
  clearTimeout(timer)
  await presence?.close()
  await monitor?.close()
  await redis.close().catch(() => redis.destroy())
})
