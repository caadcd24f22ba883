/**
 * codeskyblue: CPU per beat of `@hb/http`'s codeskyblue/heartbeat-compatible
 * endpoint (`createCodeskyblueHandler`) vs a native hb HTTP beat
 * (`createHttpHandler`), both mounted on a plain `node:http` server with a
 * monitor at its default configuration, under the same autocannon load
 * (processes/http-load.mjs): legacy form beats as the Go client sends them
 * vs JSON beats asking for an ack every 3rd beat (the default beater).
 *
 * Rounds alternate; the server's CPU time per accepted beat (median over
 * rounds) is the figure: the target is legacy ≤ 1.25 × native. A legacy beat
 * is verified once (its MAC), handed to the monitor with
 * `onAuthenticatedBeat`, and always answered with fresh server seconds and
 * their MAC, as the Go server does.
 */
import { startChild } from '../lib/children.mjs'
import { formatCount, median } from '../lib/stats.mjs'

const cpuMs = (usage) => (usage.user + usage.system) / 1000
const TARGET = 1.25

export async function run(ctx) {
  const config = ctx.quick
    ? { rounds: 1, durationMs: 1_500, connections: 16, peers: 2_000 }
    : { rounds: 4, durationMs: 3_000, connections: 16, peers: 10_000 }
  const limitMs = ctx.quick ? 28_000 : 140_000
  const servers = {
    native: ctx.own(await startChild('http-server', { args: ['native'], limitMs, profile: ctx.profile ? 'codeskyblue-native' : undefined })),
    legacy: ctx.own(await startChild('http-server', { args: ['codeskyblue'], limitMs, profile: ctx.profile ? 'codeskyblue-legacy' : undefined })),
  }
  const load = ctx.own(await startChild('http-load', { limitMs }))
  let poolRate = 30_000
  let incarnation = 0

  async function round(name) {
    const server = servers[name]
    const legacy = name === 'legacy'
    // 3× headroom: a pool that runs dry turns the rest of the round into replays (non-2xx),
    // which cost less than beats and would make CPU per accepted beat wrong.
    const count = Math.ceil((poolRate * 3 * config.durationMs) / 1000)
    await load.call('prepare', { count, peers: config.peers, prefix: 'k', incarnation: ++incarnation, ackEvery: 3, legacy })
    const before = await server.call('count')
    const cpuBefore = await server.call('cpu')
    const result = await load.call('run', {
      url: server.info.url,
      connections: config.connections,
      durationMs: config.durationMs,
      contentType: legacy ? 'application/x-www-form-urlencoded' : 'application/json',
    })
    const cpuAfter = await server.call('cpu')
    const counted = (await server.call('count')) - before
    poolRate = Math.max(poolRate, result.ok2xxPerSecond)
    const cpuMicrosecondsPerBeat = ((cpuMs(cpuAfter) - cpuMs(cpuBefore)) * 1000) / Math.max(1, counted)
    const serverCpuShare = (cpuMs(cpuAfter) - cpuMs(cpuBefore)) / result.elapsedMs
    ctx.log(`${name}: ${result.ok2xxPerSecond.toFixed(0)}/s, accepted ${counted}, non-2xx ${result.non2xx}, ${cpuMicrosecondsPerBeat.toFixed(1)} µs/beat, server cpu ${serverCpuShare.toFixed(2)}`)
    return { rate: result.ok2xxPerSecond, counted, cpuMicrosecondsPerBeat, serverCpuShare, non2xx: result.non2xx, errors: result.errors, generatorCpuShare: result.generatorCpuShare }
  }

  const rounds = { native: [], legacy: [] }
  for (let i = 0; i < config.rounds; i++) {
    rounds.native.push(await round('native'))
    rounds.legacy.push(await round('legacy'))
  }
  const summary = (list) => ({
    rate: median(list.map((r) => r.rate)),
    cpuMicrosecondsPerBeat: median(list.map((r) => r.cpuMicrosecondsPerBeat)),
    serverCpuShare: median(list.map((r) => r.serverCpuShare)),
    non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
  })
  const native = summary(rounds.native)
  const legacy = summary(rounds.legacy)
  const ratio = legacy.cpuMicrosecondsPerBeat / native.cpuMicrosecondsPerBeat
  return {
    unit: 'µs/beat',
    hb: legacy.cpuMicrosecondsPerBeat,
    baseline: native.cpuMicrosecondsPerBeat,
    hbText: `${legacy.cpuMicrosecondsPerBeat.toFixed(1)} µs/legacy beat`,
    baselineText: `${native.cpuMicrosecondsPerBeat.toFixed(1)} µs/native beat`,
    ratio,
    target: `≤ ${TARGET}×`,
    // A rejected request costs CPU but is not a beat: with any, the figures per accepted beat are off.
    met: legacy.non2xx + native.non2xx > 0 ? null : ratio <= TARGET,
    note: `server CPU per accepted beat (legacy ÷ native); rates legacy ${formatCount(legacy.rate)}/s, native ${formatCount(native.rate)}/s; ` +
      `non-2xx legacy ${legacy.non2xx}, native ${native.non2xx}; autocannon, ${config.connections} connections, median of ${config.rounds} alternated ${config.durationMs / 1000} s rounds`,
    details: { config, native, legacy, rounds, nativeStats: await servers.native.call('stats'), legacyStats: await servers.legacy.call('stats') },
  }
}
