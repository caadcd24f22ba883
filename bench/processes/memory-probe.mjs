/**
 * One side of the memory scenario, alone in its process:
 * `memory-probe.mjs hb|hb-one-address|naive`. The `run` call populates `count` peers and
 * returns the process's memory before and after, each measured after full GCs.
 *
 * hb: a monitor fed through its real ingest path: one signed `hello` per peer
 * injected through a memory transport (verified, replay-checked, registered,
 * armed on the wheel, acked), each from its own `host:port` string built as
 * the UDP adapter builds it, since a real monitor keeps the last address of
 * every peer. `hb-one-address` gives every peer the same address string, to
 * show how much of hb's cost is those strings.
 *
 * naive: the simplest honest tracker a user would write:
 * `Map<id, { lastSeen, timer: setTimeout(...) }>`, with ids decoded from bytes
 * as a server would decode them from datagrams.
 */
import { createMonitor } from '@hb/core'
import { createMemoryTransportPair } from '@hb/core/testing'
import { createFrameMaker, peerId, SECRET } from '../lib/frames.mjs'
import { serveParent, sleep } from '../lib/serve.mjs'

const mode = process.argv[2]
const TIMEOUT_MS = 600_000
const CHUNK = 10_000

async function snapshot() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc()
    await sleep(20)
  }
  const usage = process.memoryUsage()
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    // `external` already includes `arrayBuffers` (Node docs): this sum counts each byte once.
    heapPlusExternal: usage.heapUsed + usage.external,
  }
}

/** `10.a.b.c:port`, built like the UDP adapter's `formatAddress` (a template over a fresh host string). */
function remoteAddressOf(index) {
  const host = `10.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`
  const port = 1024 + (index % 60_000)
  return `${host}:${port}`
}

async function populateHb(count, oneAddress) {
  const pair = createMemoryTransportPair({ kind: 'datagram' })
  const monitor = createMonitor({ secret: SECRET, timeoutMs: TIMEOUT_MS, maxPeers: count + 1, transports: [pair.server] })
  let online = 0
  monitor.on('online', () => online++)
  await monitor.start()
  const make = createFrameMaker('binary', { cachePeers: false })
  const before = await snapshot()
  for (let start = 0; start < count; start += CHUNK) {
    const timestampMs = Date.now()
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const frame = make({ type: 'hello', peerId: peerId('m', i), keyId: '', incarnation: 1, seq: 0, timestampMs, intervalMs: 5000 })
      const verdict = pair.inject(frame, oneAddress ? '10.0.0.1:5000' : remoteAddressOf(i))
      if (verdict?.accepted !== true) throw new Error(`peer ${i} rejected: ${verdict?.reason}`)
    }
    await sleep(0)
  }
  const after = await snapshot()
  if (monitor.size !== count || online !== count) throw new Error(`monitor holds ${monitor.size} peers, ${online} online, expected ${count}`)
  return { before, after, keep: monitor }
}

async function populateNaive(count) {
  const peers = new Map()
  let offline = 0
  const onBeat = (id, now) => {
    const entry = peers.get(id)
    if (entry === undefined) {
      peers.set(id, { lastSeen: now, timer: setTimeout(() => offline++, TIMEOUT_MS) })
    } else {
      clearTimeout(entry.timer)
      entry.lastSeen = now
      entry.timer = setTimeout(() => offline++, TIMEOUT_MS)
    }
  }
  const idBytes = Buffer.alloc(16)
  const before = await snapshot()
  for (let start = 0; start < count; start += CHUNK) {
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      idBytes.write(peerId('m', i), 'latin1')
      onBeat(idBytes.toString('latin1'), performance.now())
    }
    await sleep(0)
  }
  const after = await snapshot()
  if (peers.size !== count || offline !== 0) throw new Error(`naive tracker holds ${peers.size} peers, expected ${count}`)
  return { before, after, keep: peers }
}

let kept
serveParent({
  async run({ count }) {
    const started = performance.now()
    const { before, after, keep } = mode === 'naive' ? await populateNaive(count) : await populateHb(count, mode === 'hb-one-address')
    kept = keep
    return { mode, count, before, after, populateMs: performance.now() - started }
  },
}, { mode })
void kept
