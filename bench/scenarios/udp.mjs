/**
 * udp: signed beats verified and recorded per second by a monitor on
 * `@hb/udp`, at the highest paced rate each receiver takes with zero loss, in
 * three modes against their like-for-like baselines (lib/paced.mjs `MODES`):
 * the default configuration (every 3rd beat asks for an ack) and one-way
 * (`acks: false`) vs a `node:dgram` server that only counts datagrams, and
 * `ackEvery: 1` (every beat asks) vs one that answers each datagram with a
 * reply the size of an ack.
 *
 * Six processes: the five receivers (all up for the whole scenario, only one
 * loaded at a time) and one load generator. Each trial pre-signs
 * rate × duration frames (distinct peers, increasing seqs, fresh timestamps),
 * sends them paced, then waits for the receiver to stop counting; zero loss
 * means it counted every one. The bounded search of lib/search.mjs runs for
 * every receiver at once, one trial each in turn.
 */
import { readFileSync } from 'node:fs'
import { startChild } from '../lib/children.mjs'
import { searchMaxRate } from '../lib/search.mjs'
import { cpuMicroseconds, pacedResult } from '../lib/paced.mjs'
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
  const limitMs = ctx.quick ? 43_000 : 410_000
  const recvBufferSize = receiveBufferBytes()
  const start = (mode) =>
    startChild('udp-receiver', { args: [mode, recvBufferSize], limitMs, profile: ctx.profile && mode.startsWith('hb') ? `udp-${mode}` : undefined })
  const raw = ctx.own(await start('raw'))
  const echo = ctx.own(await start('echo'))
  const hb = ctx.own(await start('hb'))
  const hbEvery = ctx.own(await start('hb-every'))
  const hbOneWay = ctx.own(await start('hb-one-way'))
  const sender = ctx.own(await startChild('udp-sender', { limitMs }))
  let incarnation = 0

  // ackEvery: how the generator's beats ask for acks (PROTOCOL.md §6.3); the baselines get the default pattern's frames.
  const trialFor = (receiver, ackEvery = 3) => async (rate) => {
    const count = Math.max(1, Math.round((rate * config.durationMs) / 1000))
    const prepared = await sender.call('prepare', { count, peers: config.peers, prefix: 'u', incarnation: ++incarnation, ackEvery })
    const before = await receiver.call('count')
    await receiver.call('resetPauses')
    const cpuBefore = await receiver.call('cpu')
    const sent = await sender.call('send', { port: receiver.info.port, rate })
    const waited = await receiver.call('waitFor', { target: before + count, stallMs: 300, maxMs: 5_000 })
    const cpuAfter = await receiver.call('cpu')
    const pauses = await receiver.call('pauses')
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
      pauses,
      summary: `sent ${count} at ${formatCount(sent.achievedRate)}/s, lost ${loss}${generatorBound ? ' (generator-bound)' : ''}, ` +
        `receiver's longest loop delay ${pauses.loopDelayMaxMs.toFixed(1)} ms, longest GC ${pauses.gcMaxMs.toFixed(1)} ms (${pauses.gcCount} GCs)`,
    }
  }

  const found = await searchMaxRate(
    [
      { name: 'baseline', trial: trialFor(raw) },
      { name: 'echo', trial: trialFor(echo, 1) },
      { name: 'hb', trial: trialFor(hb, 3) },
      { name: 'hbEvery', trial: trialFor(hbEvery, 1) },
      { name: 'hbOneWay', trial: trialFor(hbOneWay, 3) },
    ],
    { ...config, log: ctx.log },
  )
  return pacedResult({
    found,
    targets: { hb: 0.5, hbEvery: 0.5, hbOneWay: 0.6 },
    baselineUnit: 'datagrams/s',
    note: `highest zero-loss paced rate, ${config.durationMs} ms trials, SO_RCVBUF ${recvBufferSize} B`,
    details: { config, recvBufferSize, hbMonitorStats: await hb.call('stats'), hbEveryMonitorStats: await hbEvery.call('stats') },
  })
}
