/**
 * udp: signed beats verified and recorded per second by a monitor on
 * `@hb/udp`, vs a raw `node:dgram` server that only counts datagrams, at the
 * highest paced rate each one takes with zero loss.
 *
 * Three processes: the two receivers (both up for the whole scenario, only
 * one loaded at a time) and one load generator. Each trial pre-signs
 * rate × duration frames (distinct peers, increasing seqs, fresh timestamps),
 * sends them paced, then waits for the receiver to stop counting; zero loss
 * means it counted every one. The bounded search of lib/search.mjs runs for
 * both receivers at once, one trial each in turn.
 */
import { readFileSync } from 'node:fs'
import { startChild } from '../lib/children.mjs'
import { searchMaxRate } from '../lib/search.mjs'
import { cpuMicroseconds, pacedResult, withOneWay } from '../lib/paced.mjs'
import { formatCount } from '../lib/stats.mjs'

/** The receive buffer both sockets get: 2 MiB, or what the kernel allows (`net.core.rmem_max`). */
function receiveBufferBytes() {
  let max = Infinity
  try {
    max = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'))
  } catch {
    // Not Linux: ask for 2 MiB and let the OS cap it.
  }
  return Math.min(2 * 2 ** 20, max)
}

export async function run(ctx) {
  const config = ctx.quick
    ? { durationMs: 300, peers: 5_000, startRate: 20_000, precision: 1.3, maxTrials: 6, confirm: 0 }
    : { durationMs: 1_500, peers: 20_000, startRate: 20_000, precision: 1.08, maxTrials: 12, confirm: 1 }
  const limitMs = ctx.quick ? 38_000 : 290_000
  const recvBufferSize = receiveBufferBytes()
  const start = (mode) =>
    startChild('udp-receiver', { args: [mode, recvBufferSize], limitMs, profile: ctx.profile && mode.startsWith('hb') ? `udp-${mode}` : undefined })
  const raw = ctx.own(await start('raw'))
  const hb = ctx.own(await start('hb'))
  const hbOneWay = ctx.own(await start('hb-one-way'))
  const sender = ctx.own(await startChild('udp-sender', { limitMs }))
  let incarnation = 0

  const trialFor = (receiver) => async (rate) => {
    const count = Math.max(1, Math.round((rate * config.durationMs) / 1000))
    const prepared = await sender.call('prepare', { count, peers: config.peers, prefix: 'u', incarnation: ++incarnation })
    const before = await receiver.call('count')
    const cpuBefore = await receiver.call('cpu')
    const sent = await sender.call('send', { port: receiver.info.port, rate })
    const waited = await receiver.call('waitFor', { target: before + count, stallMs: 300, maxMs: 5_000 })
    const cpuAfter = await receiver.call('cpu')
    const received = waited.value - before
    const loss = count - received
    const generatorBound = sent.achievedRate < 0.95 * rate
    return {
      rate,
      ok: loss === 0,
      generatorBound,
      achievedRate: sent.achievedRate,
      sent: count,
      received,
      loss,
      cpuMicrosecondsPerMessage: cpuMicroseconds(cpuBefore, cpuAfter) / received,
      signMs: prepared.signMs,
      summary: `sent ${count} at ${formatCount(sent.achievedRate)}/s, lost ${loss}${generatorBound ? ' (generator-bound)' : ''}`,
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
    target: 0.5,
    baselineUnit: 'datagrams/s',
    note: `highest zero-loss paced rate, ${config.durationMs} ms trials, SO_RCVBUF ${recvBufferSize} B`,
    details: { config, recvBufferSize, hbMonitorStats: await hb.call('stats') },
  })
  return withOneWay(result, found)
}
