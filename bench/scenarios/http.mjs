/**
 * http: tiny POSTs, each a signed JSON beat, through `@hb/http`
 * (`createHttpServer` as a monitor transport) vs `node:http` answering 204,
 * with autocannon as the load generator in its own process
 * (processes/http-load.mjs: a fresh pre-signed frame per request).
 *
 * Rounds alternate, baseline, hb, then hb one-way (`acks: false`, answering
 * 204 with no body: the like-for-like comparison, reported as a second
 * figure; the target stays on the default, acking mode); the median of the
 * accepted (2xx) responses per second counts. The receivers' and the
 * generator's CPU are sampled, so a generator that ran out of CPU before the
 * server did is seen, and each server's CPU time per request is reported.
 */
import { startChild } from '../lib/children.mjs'
import { ratioVerdict } from '../lib/report.mjs'
import { formatCount, median } from '../lib/stats.mjs'

const cpuMs = (usage) => (usage.user + usage.system) / 1000

export async function run(ctx) {
  const config = ctx.quick
    ? { rounds: 1, durationMs: 1_500, connections: 50, peers: 5_000 }
    : { rounds: 5, durationMs: 4_000, connections: 50, peers: 20_000 }
  const limitMs = ctx.quick ? 28_000 : 190_000
  const raw = ctx.own(await startChild('http-server', { args: ['raw'], limitMs }))
  const hb = ctx.own(await startChild('http-server', { args: ['hb'], limitMs, profile: ctx.profile ? 'http-hb' : undefined }))
  const hbOneWay = ctx.own(await startChild('http-server', { args: ['hb-one-way'], limitMs }))
  const load = ctx.own(await startChild('http-load', { limitMs }))
  let poolRate = 40_000
  let incarnation = 0

  async function round(server) {
    await load.call('prepare', { count: Math.ceil((poolRate * 1.5 * config.durationMs) / 1000), peers: config.peers, prefix: 'h', incarnation: ++incarnation })
    const before = await server.call('count')
    const cpuBefore = await server.call('cpu')
    const result = await load.call('run', { url: server.info.url, connections: config.connections, durationMs: config.durationMs })
    const cpuAfter = await server.call('cpu')
    const counted = (await server.call('count')) - before
    const rate = result.ok2xxPerSecond
    poolRate = Math.max(poolRate, rate)
    const serverCpuShare = (cpuMs(cpuAfter) - cpuMs(cpuBefore)) / result.elapsedMs
    // Per request counted: every request for the baseline, every accepted beat for hb.
    const cpuMicrosecondsPerRequest = ((cpuMs(cpuAfter) - cpuMs(cpuBefore)) * 1000) / Math.max(1, counted)
    ctx.log(
      `${server.info.mode}: ${rate.toFixed(0)}/s, non-2xx ${result.non2xx}, errors ${result.errors}, server cpu ${serverCpuShare.toFixed(2)} ` +
        `(${cpuMicrosecondsPerRequest.toFixed(1)} µs/request), generator cpu ${result.generatorCpuShare.toFixed(2)}`,
    )
    return { rate, counted, serverCpuShare, cpuMicrosecondsPerRequest, ...result }
  }

  const rounds = { baseline: [], hb: [], hbOneWay: [] }
  for (let i = 0; i < config.rounds; i++) {
    rounds.baseline.push(await round(raw))
    rounds.hb.push(await round(hb))
    rounds.hbOneWay.push(await round(hbOneWay))
  }
  const summary = (list) => ({
    rate: median(list.map((r) => r.rate)),
    serverCpuShare: median(list.map((r) => r.serverCpuShare)),
    cpuMicrosecondsPerRequest: median(list.map((r) => r.cpuMicrosecondsPerRequest)),
    generatorCpuShare: median(list.map((r) => r.generatorCpuShare)),
    non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
    errors: list.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
  })
  const hbSummary = summary(rounds.hb)
  const oneWaySummary = summary(rounds.hbOneWay)
  const baselineSummary = summary(rounds.baseline)
  // The generator, not the server, was the limit: it used (nearly) a whole core and the server did not.
  const bound = (s) => s.generatorCpuShare >= 0.9 && s.serverCpuShare < 0.9
  const ratio = hbSummary.rate / baselineSummary.rate
  const oneWayRatio = oneWaySummary.rate / baselineSummary.rate
  const atLeast = (s) => (bound(s) ? '≥ ' : '')
  return {
    unit: 'req/s',
    hb: hbSummary.rate,
    baseline: baselineSummary.rate,
    hbText: `${atLeast(hbSummary)}${formatCount(hbSummary.rate)} beats/s`,
    baselineText: `${atLeast(baselineSummary)}${formatCount(baselineSummary.rate)} req/s`,
    ratio,
    ratioText: `${bound(baselineSummary) ? '≤ ' : ''}${ratio.toFixed(2)}`,
    target: '≥ 0.8×',
    met: ratioVerdict(ratio, 0.8, { hbLowerBound: bound(hbSummary), baselineLowerBound: bound(baselineSummary) }),
    note: `CPU/request hb ${hbSummary.cpuMicrosecondsPerRequest.toFixed(1)} µs vs ${baselineSummary.cpuMicrosecondsPerRequest.toFixed(1)} µs; ` +
      `autocannon, ${config.connections} connections, median of ${config.rounds} alternated ${config.durationMs / 1000} s rounds; ` +
      `server CPU hb ${hbSummary.serverCpuShare.toFixed(2)} / baseline ${baselineSummary.serverCpuShare.toFixed(2)} core` +
      (hbSummary.non2xx + hbSummary.errors > 0 ? `; hb non-2xx ${hbSummary.non2xx}, errors ${hbSummary.errors}` : '') +
      `; one-way (acks: false): ${atLeast(oneWaySummary)}${formatCount(oneWaySummary.rate)} beats/s, ` +
      `ratio ${bound(baselineSummary) ? '≤ ' : ''}${oneWayRatio.toFixed(2)}, CPU/request ${oneWaySummary.cpuMicrosecondsPerRequest.toFixed(1)} µs` +
      (oneWaySummary.non2xx + oneWaySummary.errors > 0 ? ` (non-2xx ${oneWaySummary.non2xx}, errors ${oneWaySummary.errors})` : ''),
    details: {
      config,
      hb: hbSummary,
      baseline: baselineSummary,
      oneWay: { ...oneWaySummary, ratio: oneWayRatio, generatorBound: bound(oneWaySummary) },
      rounds,
      hbMonitorStats: await hb.call('stats'),
      hbOneWayMonitorStats: await hbOneWay.call('stats'),
    },
  }
}
