/**
 * The tcp and ws scenarios: N connections (one peer each) to a monitor on
 * `@hb/tcp` / `@hb/ws`, vs a baseline server on the same kind of socket that
 * only counts frames / messages; the highest paced beat rate each one keeps up
 * with (lib/search.mjs, both searched in turn).
 *
 * TCP and WebSocket do not lose frames, they queue them, so "keeps up" means:
 * every beat of the trial was counted within a grace time (5% of the trial,
 * at least 100 ms) after the generator issued the last one. A receiver slower
 * than the asked rate builds a backlog that cannot drain in that time.
 *
 * Five processes: two receivers, and one load generator per receiver (each
 * holds its own connections, opened once with a `hello` per peer).
 */
import { startChild } from './children.mjs'
import { cpuMicroseconds, pacedResult, withOneWay } from './paced.mjs'
import { searchMaxRate } from './search.mjs'
import { formatCount } from './stats.mjs'

export async function runStreamScenario(ctx, kind, { target, baselineUnit }) {
  const config = ctx.quick
    ? { connections: 200, durationMs: 400, startRate: 10_000, precision: 1.3, maxTrials: 6, confirm: 0 }
    : { connections: 1000, durationMs: 1_500, startRate: 10_000, precision: 1.08, maxTrials: 12, confirm: 1 }
  const graceMs = Math.max(100, 0.05 * config.durationMs)
  const limitMs = ctx.quick ? 28_000 : 190_000
  const side = async (mode) => {
    const receiver = ctx.own(await startChild('stream-receiver', {
      args: [kind, mode],
      limitMs,
      profile: ctx.profile && mode.startsWith('hb') ? `${kind}-${mode}` : undefined,
    }))
    const sender = ctx.own(await startChild('stream-sender', { args: [kind], limitMs }))
    const opened = await sender.call('connect', { port: receiver.info.port, count: config.connections, peerPrefix: `${kind[0]}${mode[0]}` })
    ctx.log(`${mode}: ${opened.connections} connections in ${opened.connectMs.toFixed(0)} ms`)
    return { receiver, sender, opened }
  }
  const raw = await side('raw')
  const hb = await side('hb')
  const hbOneWay = await side('hb-one-way')

  const trialFor = ({ receiver, sender }) => async (rate) => {
    const count = Math.max(config.connections, Math.round((rate * config.durationMs) / 1000))
    const prepared = await sender.call('prepare', { count })
    const before = await receiver.call('count')
    const cpuBefore = await receiver.call('cpu')
    const waiting = receiver.call('waitFor', { target: before + count, stallMs: 2_000, maxMs: config.durationMs + 15_000 })
    const sent = await sender.call('send', { rate })
    const waited = await waiting
    const cpuAfter = await receiver.call('cpu')
    const received = waited.value - before
    const lagMs = waited.reached ? waited.reachedAtWall - sent.issuedAtWall : Infinity
    const generatorBound = sent.achievedRate < 0.95 * rate
    return {
      rate,
      ok: waited.reached && lagMs <= graceMs,
      generatorBound,
      achievedRate: sent.achievedRate,
      sent: count,
      received,
      lagMs,
      cpuMicrosecondsPerMessage: cpuMicroseconds(cpuBefore, cpuAfter) / received,
      signMs: prepared.signMs,
      summary: `sent ${count} at ${formatCount(sent.achievedRate)}/s, counted ${received}, ` +
        `last one ${Number.isFinite(lagMs) ? lagMs.toFixed(0) : '∞'} ms after the last send${generatorBound ? ' (generator-bound)' : ''}`,
    }
  }

  const found = await searchMaxRate(
    [
      { name: 'baseline', trial: trialFor(raw) },
      { name: 'hb', trial: trialFor(hb) },
      { name: 'hbOneWay', trial: trialFor(hbOneWay) },
    ],
    { ...config, log: ctx.log },
  )
  const result = pacedResult({
    found,
    target,
    baselineUnit,
    note: `${config.connections} connections, highest rate kept up with (all counted ≤ ${graceMs} ms after the last send), ${config.durationMs} ms trials`,
    details: { config, graceMs, hbMonitorStats: await hb.receiver.call('stats'), baselineStats: await raw.receiver.call('stats') },
  })
  return withOneWay(result, found)
}
