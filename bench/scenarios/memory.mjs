/**
 * memory: bytes per tracked peer (16-character ids), whole process.
 *
 * Each tracker runs alone in a fresh process (processes/memory-probe.mjs);
 * memory is read after full GCs before and after populating, and the cost
 * per peer is the difference divided by the number of peers, for both RSS and
 * V8 heap + external memory (typed arrays live in `external`). Memory does not
 * suffer from CPU noise the way rates do, so the two probes run side by side.
 * A third probe (hb with one address string shared by every peer) shows how
 * much of hb's cost is the per-peer `host:port` string.
 */
import { startChild } from '../lib/children.mjs'

function perPeer(sample) {
  const delta = (field) => (sample.after[field] - sample.before[field]) / sample.count
  return { rss: delta('rss'), heapPlusExternal: delta('heapPlusExternal'), heapUsed: delta('heapUsed'), external: delta('external') }
}

export async function run(ctx) {
  const count = ctx.quick ? 100_000 : 1_000_000
  const limitMs = ctx.quick ? 35_000 : 280_000
  const start = (mode) =>
    startChild('memory-probe', { args: [mode], execArgv: ['--expose-gc'], limitMs, profile: ctx.profile && mode === 'hb' ? 'memory-hb' : undefined })
  const [naive, hb] = await Promise.all([start('naive'), start('hb')].map((p) => p.then((child) => ctx.own(child))))
  const [naiveSample, hbSample] = await Promise.all([naive.call('run', { count }), hb.call('run', { count })])
  await Promise.all([naive.stop(), hb.stop()])
  // Where hb's bytes go: the same monitor with one address string shared by every peer.
  const oneAddress = ctx.own(await start('hb-one-address'))
  const oneAddressSample = await oneAddress.call('run', { count })
  await oneAddress.stop()
  const hbBytes = perPeer(hbSample)
  const naiveBytes = perPeer(naiveSample)
  const oneAddressBytes = perPeer(oneAddressSample)
  const ratio = hbBytes.rss / naiveBytes.rss
  const heapRatio = hbBytes.heapPlusExternal / naiveBytes.heapPlusExternal
  ctx.log(`hb ${JSON.stringify(hbBytes)} naive ${JSON.stringify(naiveBytes)}`)
  return {
    unit: 'B/peer',
    hb: hbBytes.rss,
    baseline: naiveBytes.rss,
    hbText: `${Math.round(hbBytes.rss)} B/peer rss`,
    baselineText: `${Math.round(naiveBytes.rss)} B/peer rss`,
    ratio,
    target: '≤ 0.5×',
    met: ratio <= 0.5 && heapRatio <= 0.5,
    note: `heap+external: hb ${Math.round(hbBytes.heapPlusExternal)} B vs ${Math.round(naiveBytes.heapPlusExternal)} B (${heapRatio.toFixed(2)}×); ${count / 1e6}M peers`,
    details: {
      peers: count,
      perPeerBytes: { hb: hbBytes, naive: naiveBytes, hbWithOneSharedAddress: oneAddressBytes },
      ratios: {
        rss: ratio,
        heapPlusExternal: heapRatio,
        rssWithOneSharedAddress: oneAddressBytes.rss / naiveBytes.rss,
        heapPlusExternalWithOneSharedAddress: oneAddressBytes.heapPlusExternal / naiveBytes.heapPlusExternal,
      },
      samples: { hb: hbSample, naive: naiveSample, hbWithOneSharedAddress: oneAddressSample },
    },
  }
}
