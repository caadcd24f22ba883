/**
 * http: tiny POSTs, each a signed JSON beat, through `@hb/http`
 * (`createHttpServer` as a monitor transport), with autocannon as the load
 * generator in its own process (processes/http-load.mjs: a fresh pre-signed
 * frame per request), in the three modes of lib/paced.mjs: the default
 * configuration (every 3rd beat asks for an ack: 200 with the signed ack, the
 * others 204) and one-way (`acks: false`, 204 with no body) vs `node:http`
 * answering 204 (count-only); `ackEvery: 1` (every beat acked) vs `node:http`
 * answering 200 with a body the size of an ack (echo). A sixth server, not a
 * target, takes the default configuration's beats as binary frames
 * (`createHttpClient({ encoding: 'binary' })`, `application/octet-stream`):
 * what the encoding is worth against the same count-only baseline.
 *
 * Rounds alternate over the six servers; the median of the accepted (2xx)
 * responses per second counts. The receivers' and the generator's CPU are
 * sampled, so a generator that ran out of CPU before the server did is seen,
 * and each server's CPU time per request is reported (the "by CPU" figure
 * decides where a rate is generator-bound).
 */
import { startChild } from '../lib/children.mjs'
import { formatMode, modeVerdict, MODES } from '../lib/paced.mjs'
import { formatCount, median } from '../lib/stats.mjs'

const cpuMs = (usage) => (usage.user + usage.system) / 1000
const TARGETS = { hb: 0.8, hbEvery: 0.8, hbOneWay: 0.9 }

export async function run(ctx) {
  const config = ctx.quick
    ? { rounds: 1, durationMs: 1_500, connections: 50, peers: 5_000 }
    : { rounds: 5, durationMs: 4_000, connections: 50, peers: 20_000 }
  const limitMs = ctx.quick ? 33_000 : 250_000
  const servers = {
    baseline: ctx.own(await startChild('http-server', { args: ['raw'], limitMs })),
    echo: ctx.own(await startChild('http-server', { args: ['echo'], limitMs })),
    hb: ctx.own(await startChild('http-server', { args: ['hb'], limitMs, profile: ctx.profile ? 'http-hb' : undefined })),
    hbEvery: ctx.own(await startChild('http-server', { args: ['hb-every'], limitMs, profile: ctx.profile ? 'http-hb-every' : undefined })),
    hbOneWay: ctx.own(await startChild('http-server', { args: ['hb-one-way'], limitMs })),
    // Not a target: the default configuration with `createHttpClient({ encoding: 'binary' })`'s frames.
    hbBinary: ctx.own(await startChild('http-server', { args: ['hb'], limitMs })),
  }
  const ackEveryOf = { baseline: 3, echo: 1, hb: 3, hbEvery: 1, hbOneWay: 3, hbBinary: 3 }
  const encodingOf = (name) => (name === 'hbBinary' ? 'binary' : 'json')
  const load = ctx.own(await startChild('http-load', { limitMs }))
  let poolRate = 40_000
  let incarnation = 0

  async function round(name) {
    const server = servers[name]
    const count = Math.ceil((poolRate * 1.5 * config.durationMs) / 1000)
    await load.call('prepare', { count, peers: config.peers, prefix: 'h', incarnation: ++incarnation, ackEvery: ackEveryOf[name], encoding: encodingOf(name) })
    const before = await server.call('count')
    const cpuBefore = await server.call('cpu')
    const contentType = encodingOf(name) === 'binary' ? 'application/octet-stream' : 'application/json'
    const result = await load.call('run', { url: server.info.url, connections: config.connections, durationMs: config.durationMs, contentType })
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

  const rounds = Object.fromEntries(Object.keys(servers).map((name) => [name, []]))
  for (let i = 0; i < config.rounds; i++) {
    for (const name of Object.keys(servers)) rounds[name].push(await round(name))
  }
  const summary = (list) => ({
    rate: median(list.map((r) => r.rate)),
    serverCpuShare: median(list.map((r) => r.serverCpuShare)),
    cpuMicrosecondsPerRequest: median(list.map((r) => r.cpuMicrosecondsPerRequest)),
    generatorCpuShare: median(list.map((r) => r.generatorCpuShare)),
    non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
    errors: list.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
  })
  const summaries = Object.fromEntries(Object.entries(rounds).map(([name, list]) => [name, summary(list)]))
  // The generator, not the server, was the limit: it used (nearly) a whole core and the server did not.
  const bound = (s) => s.generatorCpuShare >= 0.9 && s.serverCpuShare < 0.9
  const modes = {}
  for (const { key, baseline } of MODES) {
    const h = summaries[key]
    const b = summaries[baseline]
    modes[key] = {
      hbRate: h.rate,
      baselineRate: b.rate,
      hbCpuMicrosecondsPerRequest: h.cpuMicrosecondsPerRequest,
      baselineCpuMicrosecondsPerRequest: b.cpuMicrosecondsPerRequest,
      ...modeVerdict({
        hbRate: h.rate,
        baselineRate: b.rate,
        hbBound: bound(h),
        baselineBound: bound(b),
        hbCpu: h.cpuMicrosecondsPerRequest,
        baselineCpu: b.cpuMicrosecondsPerRequest,
        target: TARGETS[key],
      }),
    }
  }
  const verdicts = Object.values(modes).map((m) => m.met)
  const met = verdicts.every((v) => v === true) ? true : verdicts.some((v) => v === false) ? false : null
  const atLeast = (s) => (bound(s) ? '≥ ' : '')
  const errors = Object.entries(summaries)
    .filter(([name, s]) => name !== 'baseline' && name !== 'echo' && s.non2xx + s.errors > 0)
    .map(([name, s]) => `${name} non-2xx ${s.non2xx}, errors ${s.errors}`)
  const main = modes.hb
  return {
    unit: 'req/s',
    hb: main.hbRate,
    baseline: main.baselineRate,
    hbText: `${atLeast(summaries.hb)}${formatCount(main.hbRate)} beats/s`,
    baselineText: `${atLeast(summaries.baseline)}${formatCount(main.baselineRate)} req/s`,
    ratio: main.ratio,
    ratioText: `${main.baselineBound ? '≤ ' : main.hbBound ? '≥ ' : ''}${main.ratio.toFixed(2)}`,
    target: `≥ ${TARGETS.hb}/${TARGETS.hbEvery}/${TARGETS.hbOneWay}`,
    met,
    note:
      MODES.map(({ key, label, baseline }) => formatMode(`${label} vs ${baseline === 'echo' ? 'echo' : 'count-only'}`, modes[key])).join('; ') +
      `; default with binary beats (no target) by CPU ${(summaries.baseline.cpuMicrosecondsPerRequest / summaries.hbBinary.cpuMicrosecondsPerRequest).toFixed(2)}` +
      '; rate, CPU/request and server CPU: ' +
      Object.entries(summaries)
        .map(([name, s]) => `${name} ${atLeast(s)}${formatCount(s.rate)}/s ${s.cpuMicrosecondsPerRequest.toFixed(1)} µs ${s.serverCpuShare.toFixed(2)} core`)
        .join(', ') +
      `; autocannon, ${config.connections} connections, median of ${config.rounds} alternated ${config.durationMs / 1000} s rounds` +
      (errors.length > 0 ? `; ${errors.join('; ')}` : ''),
    details: {
      config,
      modes,
      summaries,
      rounds,
      hbMonitorStats: await servers.hb.call('stats'),
      hbEveryMonitorStats: await servers.hbEvery.call('stats'),
      hbOneWayMonitorStats: await servers.hbOneWay.call('stats'),
    },
  }
}
