/**
 * One monitor process of the `redis` scenario:
 * `redis-monitor.mjs hb|naive <redisUrl> <name> <count> <timeoutMs> <leaseMs> <intervalMs>`.
 *
 * Its `count` peers beat every `intervalMs`, peer j at phase j/count of the
 * interval, generated here in 10 ms steps (frames signed by `signFrame`). hb: each beat is injected into a monitor (its real ingest path)
 * whose peers a Redis presence shares. naive: each beat is one
 * `SET <key> <name> PX <timeoutMs>` (the common pattern; offline comes from
 * keyspace notifications, read by the scenario).
 */
import { createMonitor } from '@hb/core'
import { createMemoryTransportPair } from '@hb/core/testing'
import { createRedisPresence } from '@hb/redis'
import { createClient } from 'redis'
import { signFrame } from '@hb/core/protocol'
import { peerId, SECRET } from '../lib/frames.mjs'
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
// Frames signed by core itself (the bench's template maker predates the protocol's second version).
const key = new TextEncoder().encode(SECRET)
const make = (fields) => signFrame(fields, key, 'binary')

if (mode === 'hb') {
  pair = createMemoryTransportPair({ kind: 'datagram' })
  monitor = createMonitor({ secret: SECRET, timeoutMs, transports: [pair.server], acks: false, maxPeers: count + 10 })
  await monitor.start()
  presence = createRedisPresence({ redis, monitor, namespace: 'bench', name, timeoutMs, leaseMs })
  presence.on('error', () => {})
  await presence.start()
}

function beat(j, now) {
  if (silenced[j] === 1) return
  const first = seq[j] === 0
  const fields = { type: first ? 'hello' : 'beat', peerId: idOf(j), keyId: '', incarnation, seq: seq[j]++, timestampMs: Math.floor(now) }
  const frame = make(first ? { ...fields, intervalMs } : fields)
  lastBeat[j] = now
  beats++
  if (mode === 'hb') pair.inject(frame)
  else {
    void redis.sendCommand(['SET', `{naive}:${idOf(j)}`, name, 'PX', String(timeoutMs)]).catch((error) => {
      failedSets++
      lastError = `${error?.constructor?.name}: ${error?.message}`
    })
  }
}

let round = 0
let next = 0
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
  timer = setTimeout(generate, STEP_MS)
}

serveParent({
  async start() {
    startedAt = Date.now()
    generate()
    return { startedAt }
  },
  async stats() {
    return { beats, failedSets, lastError, presence: presence?.stats(), held: monitor?.size, monitor: monitor?.stats() }
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
