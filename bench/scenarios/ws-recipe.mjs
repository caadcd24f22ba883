/**
 * ws-recipe: the `ws` README's heartbeat recipe (a setInterval sweep, ping and
 * an isAlive flag per client) vs `@hb/ws`, for 10k connections of which 10%
 * die: how long after their death the server convicts them, and the server's
 * CPU (process.cpuUsage) over the same window.
 *
 * Same probe traffic on both sides: the recipe pings every interval, hb
 * clients beat every interval; both convict within two intervals (hb: timeout
 * = 2 × interval). Per side: a server process, a process of live clients and
 * a few processes of doomed clients (groups); once all are connected and 11
 * intervals have passed (slotted hb beaters steer onto their slots within 10),
 * the server's CPU is marked, each group is frozen
 * (SIGSTOP) at its own random moment of the next interval, and the window
 * runs 4 intervals + 0.5 s from the mark. Detection latency is counted from
 * each group's freeze; groups sample different phases of the recipe's sweep.
 * Sides alternate round by round: the recipe, hb at its defaults (acks on
 * demand, every third beat), and hb one-way (`acks: false`), which shows what
 * the acks cost. The server's user and system CPU and its event-loop wakeups
 * (voluntary context switches) are reported apart: the recipe's pongs arrive
 * in bursts after each sweep, beats spread over the interval.
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startChild } from '../lib/children.mjs'
import { sleep, wallNow } from '../lib/serve.mjs'
import { median, summarize } from '../lib/stats.mjs'

const profilesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'profiles')

async function waitUntil(read, target, maxMs) {
  const started = performance.now()
  for (;;) {
    const value = await read()
    if (value >= target) return value
    if (performance.now() - started > maxMs) throw new Error(`only ${value} of ${target} connected after ${maxMs} ms`)
    await sleep(100)
  }
}

async function measure(ctx, mode, config) {
  const limitMs = ctx.quick ? 40_000 : 120_000
  // --profile: the hb server's measured window only (the connection storm before it would dominate).
  const profilePath = ctx.profile && mode !== 'recipe' ? join(profilesDir, `ws-recipe-${mode}-window-${Date.now()}.cpuprofile`) : undefined
  if (profilePath !== undefined) mkdirSync(profilesDir, { recursive: true })
  const server = ctx.own(await startChild('ws-recipe-server', {
    args: profilePath === undefined ? [mode, config.intervalMs] : [mode, config.intervalMs, profilePath],
    limitMs,
  }))
  const url = `ws://127.0.0.1:${server.info.port}/`
  const perGroup = Math.round((config.connections * config.doomedShare) / config.groups)
  const clients = (role, count) => startChild('ws-recipe-clients', { args: [mode, url, count, role, config.intervalMs], limitMs }).then((c) => ctx.own(c))
  const live = await clients('live', config.connections - perGroup * config.groups)
  const groups = []
  for (let g = 0; g < config.groups; g++) groups.push(await clients(`doomed-${g}`, perGroup))
  const connectStarted = performance.now()
  await Promise.all([live, ...groups].map((c) => c.call('connect')))
  await waitUntil(() => server.call('connected'), config.connections, 60_000)
  const connectMs = performance.now() - connectStarted
  // Settle as a long-running fleet would be: hb's slotted beaters take up to 1 / jitter (10)
  // beats to steer onto their slots. Every side waits the same.
  await sleep(config.settleIntervals * config.intervalMs)

  // Each group dies at its own random moment of one interval, so the groups sample
  // different phases of the recipe's sweep (and of hb's beats).
  await server.call('mark')
  const diedAt = []
  const freezeAt = groups.map(() => Math.random() * config.intervalMs).sort((a, b) => a - b)
  const windowStart = performance.now()
  for (const [g, group] of groups.entries()) {
    await sleep(freezeAt[g] - (performance.now() - windowStart))
    diedAt[g] = wallNow()
    group.signal('SIGSTOP')
  }
  await sleep(config.intervalMs + 3 * config.intervalMs + 500 - (performance.now() - windowStart))
  const report = await server.call('report')
  for (const group of groups) group.signal('SIGKILL')
  await Promise.all([...groups.map((g) => g.exited), live.stop(), server.stop()])

  const latencies = report.convictions.map(({ group, at }) => at - diedAt[Number(group)])
  const groupMedians = groups.map((_, g) => summarize(report.convictions.filter((c) => Number(c.group) === g).map((c) => c.at - diedAt[g])).p50)
  return {
    mode,
    connectMs,
    detected: latencies.length,
    missed: perGroup * config.groups - latencies.length,
    falseConvictions: report.falseConvictions,
    guardedDeadlines: report.guarded,
    eventLoopDelayMs: report.eventLoopDelayMs,
    latencyMs: summarize(latencies),
    latencies,
    groupMedianLatencyMs: groupMedians,
    cpuMsPerSecond: (report.cpuMs * 1000) / report.windowMs,
    userMsPerSecond: (report.userMs * 1000) / report.windowMs,
    systemMsPerSecond: (report.systemMs * 1000) / report.windowMs,
    wakeupsPerSecond: (report.wakeups * 1000) / report.windowMs,
    windowMs: report.windowMs,
  }
}

export async function run(ctx) {
  const config = ctx.quick
    ? { connections: 1_000, doomedShare: 0.1, groups: 2, intervalMs: 500, rounds: 1, settleIntervals: 11 }
    : { connections: 10_000, doomedShare: 0.1, groups: 5, intervalMs: 1_000, rounds: 2, settleIntervals: 11 }
  const rounds = { recipe: [], hb: [], 'hb-one-way': [] }
  for (let round = 0; round < config.rounds; round++) {
    for (const mode of ['recipe', 'hb', 'hb-one-way']) {
      const result = await measure(ctx, mode, config)
      rounds[mode].push(result)
      const { latencies: _, ...shown } = result
      ctx.log(`${mode}: ${JSON.stringify(shown)}`)
    }
  }
  const side = (list) => ({
    latencyP50Ms: summarize(list.flatMap((r) => r.latencies)).p50,
    latencyMaxMs: Math.max(...list.map((r) => r.latencyMs.max)),
    cpuMsPerSecond: median(list.map((r) => r.cpuMsPerSecond)),
    userMsPerSecond: median(list.map((r) => r.userMsPerSecond)),
    systemMsPerSecond: median(list.map((r) => r.systemMsPerSecond)),
    wakeupsPerSecond: median(list.map((r) => r.wakeupsPerSecond)),
    missed: list.reduce((sum, r) => sum + r.missed, 0),
    falseConvictions: list.reduce((sum, r) => sum + r.falseConvictions, 0),
  })
  const hb = side(rounds.hb)
  const recipe = side(rounds.recipe)
  const oneWay = side(rounds['hb-one-way'])
  const latencyRatio = hb.latencyP50Ms / recipe.latencyP50Ms
  const cpuRatio = hb.cpuMsPerSecond / recipe.cpuMsPerSecond
  const problems = [
    hb.missed > 0 ? `hb missed ${hb.missed}` : '',
    oneWay.missed > 0 ? `hb one-way missed ${oneWay.missed}` : '',
    recipe.missed > 0 ? `recipe missed ${recipe.missed}` : '',
    hb.falseConvictions + recipe.falseConvictions > 0 ? `false convictions hb ${hb.falseConvictions} / recipe ${recipe.falseConvictions}` : '',
  ].filter(Boolean)
  return {
    unit: 'ms',
    hb: hb.latencyP50Ms,
    baseline: recipe.latencyP50Ms,
    hbText: `${(hb.latencyP50Ms / 1000).toFixed(2)} s, ${hb.cpuMsPerSecond.toFixed(0)} ms CPU/s`,
    baselineText: `${(recipe.latencyP50Ms / 1000).toFixed(2)} s, ${recipe.cpuMsPerSecond.toFixed(0)} ms CPU/s`,
    ratio: latencyRatio,
    ratioText: `${latencyRatio.toFixed(2)} / ${cpuRatio.toFixed(2)}`,
    // Issue 11: at the default configuration (acks on demand), no more CPU than the recipe, and detection as fast.
    target: '≤ 1 / ≤ 1',
    met: latencyRatio <= 1 && cpuRatio <= 1 && problems.length === 0,
    note: `median detection latency / server CPU; hb one-way (acks: false) ${(oneWay.latencyP50Ms / recipe.latencyP50Ms).toFixed(2)} / ` +
      `${(oneWay.cpuMsPerSecond / recipe.cpuMsPerSecond).toFixed(2)}; user+system CPU ms/s and wakeups/s: recipe ` +
      `${recipe.userMsPerSecond.toFixed(0)}+${recipe.systemMsPerSecond.toFixed(0)}, ${recipe.wakeupsPerSecond.toFixed(0)}; hb ` +
      `${hb.userMsPerSecond.toFixed(0)}+${hb.systemMsPerSecond.toFixed(0)}, ${hb.wakeupsPerSecond.toFixed(0)}; one-way ` +
      `${oneWay.userMsPerSecond.toFixed(0)}+${oneWay.systemMsPerSecond.toFixed(0)}, ${oneWay.wakeupsPerSecond.toFixed(0)}; ` +
      `${config.connections} connections, ${config.doomedShare * 100}% frozen, ` +
      `interval ${config.intervalMs} ms, max latency hb ${(hb.latencyMaxMs / 1000).toFixed(2)} s / recipe ${(recipe.latencyMaxMs / 1000).toFixed(2)} s` +
      (problems.length > 0 ? `; ${problems.join(', ')}` : ''),
    details: { config, hb, recipe, hbOneWay: oneWay, rounds: Object.fromEntries(Object.entries(rounds).map(([k, list]) => [k, list.map(({ latencies: _, ...r }) => r)])) },
  }
}
