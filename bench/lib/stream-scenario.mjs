/**
 * The tcp and ws scenarios: N connections (one peer each) to a monitor on
 * `@hb/tcp` / `@hb/ws`; the highest paced beat rate each receiver keeps up
 * with (lib/search.mjs, all searched in turn), in the three modes of
 * lib/paced.mjs: the default configuration (every 3rd beat asks for an ack)
 * and one-way (`acks: false`) vs a server on the same kind of socket that only
 * counts frames / messages, and `ackEvery: 1` vs one that answers every
 * message with a reply the size of an ack.
 *
 * TCP and WebSocket do not lose frames, they queue them, so "keeps up" means:
 * every beat of the trial was counted within a grace time (5% of the trial,
 * at least 100 ms) after the generator issued the last one. A receiver slower
 * than the asked rate builds a backlog that cannot drain in that time.
 *
 * Ten processes: five receivers, and one load generator per receiver (each
 * holds its own connections, opened once with a `hello` per peer).
 */
import { startChild } from './children.mjs'
import { cpuMicroseconds, pacedResult } from './paced.mjs'
import { searchMaxRate } from './search.mjs'
import { formatCount } from './stats.mjs'

export async function runStreamScenario(ctx, kind, { targets, baselineUnit }) {
  const config = ctx.quick
    ? { connections: 200, durationMs: 400, startRate: 10_000, precision: 1.3, maxTrials: 6, confirm: 0 }
    : { connections: 1000, durationMs: 1_500, startRate: 10_000, precision: 1.08, maxTrials: 12, confirm: 1 }
  const graceMs = Math.max(100, 0.05 * config.durationMs)
  const limitMs = ctx.quick ? 38_000 : 350_000
  // ackEvery: how the generator's beats ask for acks (PROTOCOL.md §6.3); the baselines get the default pattern's frames.
  const side = async (mode, ackEvery) => {
    const receiver = ctx.own(await startChild('stream-receiver', {
      args: [kind, mode],
      limitMs,
      profile: ctx.profile && mode.startsWith('hb') ? `${kind}-${mode}` : undefined,
    }))
    const sender = ctx.own(await startChild('stream-sender', { args: [kind], limitMs }))
    const opened = await sender.call('connect', { port: receiver.info.port, count: config.connections, peerPrefix: `${kind[0]}${mode[0]}` })
    ctx.log(`${mode}: ${opened.connections} connections in ${opened.connectMs.toFixed(0)} ms`)
    return { receiver, sender, opened, ackEvery }
  }
  const raw = await side('raw', 3)
  const echo = await side('echo', 1)
  const hb = await side('hb', 3)
  const hbEvery = await side('hb-every', 1)
  const hbOneWay = await side('hb-one-way', 3)

  const trialFor = ({ receiver, sender, ackEvery }) => async (rate) => {
    const count = Math.max(config.connections, Math.round((rate * config.durationMs) / 1000))
    const prepared = await sender.call('prepare', { count, ackEvery })
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
      { name: 'echo', trial: trialFor(echo) },
      { name: 'hb', trial: trialFor(hb) },
      { name: 'hbEvery', trial: trialFor(hbEvery) },
      { name: 'hbOneWay', trial: trialFor(hbOneWay) },
    ],
    { ...config, log: ctx.log },
  )
  return pacedResult({
    found,
    targets,
    baselineUnit,
    note: `${config.connections} connections, highest rate kept up with (all counted ≤ ${graceMs} ms after the last send), ${config.durationMs} ms trials`,
    details: {
      config,
      graceMs,
      hbMonitorStats: await hb.receiver.call('stats'),
      hbEveryMonitorStats: await hbEvery.receiver.call('stats'),
      baselineStats: await raw.receiver.call('stats'),
      echoStats: await echo.receiver.call('stats'),
    },
  })
}
