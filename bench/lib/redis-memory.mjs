/**
 * Redis memory per peer at scale, @hb/redis against the naive design (one
 * `SET key PX` per peer), in the same run on the same redis-server: used by
 * the `redis` scenario and by `bench/redis-memory.mjs`.
 *
 * Filling Redis through peers that beat on schedule needs a million beats
 * every interval, more than 2 cores generate; what memory depends on is what
 * each peer leaves in Redis, so here the peers join once and stay
 * (`register` in processes/redis-monitor.mjs): each sends its hello and one
 * beat through a real monitor and presence (the monitor's admission, the
 * replay store's mark fetch, the presence's claim script), exactly as the
 * first two frames of a beating peer do. A peer's later beats only rewrite
 * its field with a value of the same shape.
 */
import { startChild } from './children.mjs'
import { info } from './redis-info.mjs'

/** Where each design keeps its peers, for the memory breakdown. */
async function describeKeys(admin, design) {
  if (design === 'naive') {
    const key = String(await admin.sendCommand(['RANDOMKEY']))
    return { keys: Number(await admin.sendCommand(['DBSIZE'])), sample: [key, String(await admin.sendCommand(['GET', key]))] }
  }
  const buckets = Number(await admin.sendCommand(['HGET', '{bench}:meta', 'buckets']))
  const encodings = {}
  let maxFields = 0
  for (let start = 0; start < buckets; start += 1000) {
    const indices = Array.from({ length: Math.min(1000, buckets - start) }, (_, i) => start + i)
    const replies = await Promise.all(indices.map((i) => Promise.all([
      admin.sendCommand(['OBJECT', 'ENCODING', `{bench}:p:${i}`]).catch(() => null),
      admin.sendCommand(['HLEN', `{bench}:p:${i}`]),
    ])))
    for (const [encoding, fields] of replies) {
      if (encoding === null) continue
      encodings[encoding] = (encodings[encoding] ?? 0) + 1
      maxFields = Math.max(maxFields, Number(fields))
    }
  }
  // One field as stored, for the docs: `<owner>|<id>` → `<deadline>,<incarnation>,<seq>`.
  const sample = await admin.sendCommand(['HRANDFIELD', '{bench}:p:0', '1', 'WITHVALUES'])
  const streamBytes = Number(await admin.sendCommand(['MEMORY', 'USAGE', '{bench}:events']))
  const streamEntries = Number(await admin.sendCommand(['XLEN', '{bench}:events']))
  return { buckets, encodings, maxFields, sample: sample.map(String), streamBytes, streamEntries }
}

/**
 * Redis memory per peer at scale, for one design: `processes` monitor
 * processes register `peers` peers between them (`register` in
 * processes/redis-monitor.mjs: hb, a hello and a beat per peer through each
 * process's monitor and presence; naive, one `SET key PX` each), with a
 * timeout long enough that none expires. INFO used_memory after the fill
 * minus before (Redis flushed), divided by the peers registered.
 */
async function fillAndMeasure(ctx, server, admin, design, peers, o) {
  await admin.sendCommand(['FLUSHALL'])
  await admin.sendCommand(['CONFIG', 'SET', 'notify-keyspace-events', ''])
  const before = await info(admin, 'memory')
  const startedMs = Date.now()
  const share = Math.ceil(peers / o.processes)
  const children = await Promise.all(Array.from({ length: o.processes }, async (_, i) => ctx.own(await startChild('redis-monitor', {
    args: [design, server.url, `m${i}-`, Math.min(share, peers - i * share), 3_600_000, 5_400_000, 5000],
    limitMs: o.limitMs,
  }))))
  try {
    const reports = await Promise.all(children.map((child) => child.call('register', { batch: o.batch, seqStart: o.seqStart })))
    const registered = Number(await admin.sendCommand(design === 'hb' ? ['GET', '{bench}:count'] : ['DBSIZE']))
    const after = await info(admin, 'memory')
    const fillMs = Date.now() - startedMs
    const layout = await describeKeys(admin, design)
    const perPeer = (Number(after.used_memory) - Number(before.used_memory)) / registered
    const accepted = reports.reduce((sum, r) => sum + r.accepted, 0)
    const rejected = reports.map((r) => r.other).filter((other) => Object.keys(other).length > 0)
    const failedOpen = reports.reduce((sum, r) => sum + (r.presence?.replayFailedOpen ?? 0), 0)
    ctx.log(`memory ${design}: ${registered} peers by ${o.processes} processes in ${(fillMs / 1000).toFixed(1)} s, ${perPeer.toFixed(1)} B/peer used_memory` +
      (layout.streamBytes === undefined ? '' : `, stream ${(layout.streamBytes / registered).toFixed(1)} B/peer (${layout.streamEntries} entries), buckets ${JSON.stringify(layout.encodings)} max ${layout.maxFields} fields`) +
      (rejected.length > 0 ? `, other rejections ${JSON.stringify(rejected)}` : '') + (failedOpen > 0 ? `, ${failedOpen} failed open` : ''))
    return { design, peers: registered, accepted, perPeer, fillMs, usedMemoryBefore: Number(before.used_memory), usedMemoryAfter: Number(after.used_memory), ...layout, rejected, failedOpen }
  } finally {
    for (const child of children) await child.stop()
  }
}

/**
 * Redis memory per peer at scale, hb and the naive design in the same run on the
 * same redis-server (hb first, then flushed, then naive). Options: `processes`
 * (3), `batch` (peers per flush, 5000), `seqStart` (100 000: the digits a peer
 * some days into its incarnation stores), `limitMs` (per design).
 */
export async function measureMemory(ctx, server, admin, peers, options = {}) {
  const o = { processes: 3, batch: 5000, seqStart: 100_000, limitMs: 240_000, ...options }
  const hb = await fillAndMeasure(ctx, server, admin, 'hb', peers, o)
  const naive = await fillAndMeasure(ctx, server, admin, 'naive', peers, o)
  await admin.sendCommand(['FLUSHALL'])
  return { peers: hb.peers, perPeer: hb.perPeer, naivePerPeer: naive.perPeer, ratio: hb.perPeer / naive.perPeer, options: o, hb, naive }
}
