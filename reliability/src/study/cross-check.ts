/**
 * The study's model against the code: real `createMonitor` and `createBeater`
 * instances on `createFakeClock()` and `createMemoryTransportPair()`, with a
 * wrapper that loses and delays every packet (beats and acks) by the same
 * network model, driven by the same seeded random source. Pauses are left
 * out (a fake clock cannot pause one beater alone); the simulation is run
 * with the same pause-free model for the comparison.
 */
import type { BeaterOptions } from '@hb/core'
import { createBeater, createMonitor } from '@hb/core'
import type { FakeClock } from '@hb/core/testing'
import { createFakeClock, createMemoryTransportPair } from '@hb/core/testing'
import type { StudyConfig } from './beat-engine.js'
import type { DelaySampler, NetworkModel } from './network-model.js'
import { createDelaySampler } from './network-model.js'
import { createRandom } from './random.js'
import type { Random } from './random.js'

type ClientTransport = BeaterOptions['transport']
type ClientHandler = Parameters<ClientTransport['connect']>[0]

export interface CrossCheckResult {
  readonly label: string
  readonly lossRate: number
  readonly peers: number
  readonly peerHours: number
  readonly falseOfflines: number
  readonly rate: number
}

/** Loses and delays every packet both ways, on the fake clock. */
function createLossyTransport(inner: ClientTransport, clock: FakeClock, model: NetworkModel, delays: DelaySampler, random: Random): ClientTransport {
  const deliver = (action: () => void): void => {
    if (random.next() < model.lossRate) return
    clock.setTimeout(action, delays.any())
  }
  return {
    name: `lossy-${inner.name}`,
    kind: inner.kind,
    encoding: inner.encoding,
    connect(handler: ClientHandler, options) {
      const lossy: ClientHandler = {
        onFrame: (bytes) => deliver(() => handler.onFrame(bytes)),
        onLinkDown: (error) => handler.onLinkDown(error),
      }
      return inner.connect(lossy, options)
    },
    async send(bytes) {
      deliver(() => void inner.send(bytes).catch(() => {}))
    },
    close: () => inner.close(),
  }
}

export async function runCrossCheck(
  config: StudyConfig,
  model: NetworkModel,
  options: { peers: number; hours: number; seed: number },
): Promise<CrossCheckResult> {
  const clock = createFakeClock(0)
  const random = createRandom(options.seed)
  const delays = createDelaySampler(model.delay, 250, random)
  const pair = createMemoryTransportPair({ kind: 'datagram' })
  const secret = 'reliability-cross-check-secret'
  const monitor = createMonitor({ secret, clock, detector: config.detector, tickMs: config.tickMs, transports: [pair.server] })
  await monitor.start()
  const warmUpMs = 10 * 60_000
  let falseOfflines = 0
  monitor.on('offline', (_peer, reason) => {
    if (reason === 'timeout' && clock.now() > warmUpMs) falseOfflines++
  })
  const stops = []
  for (let i = 0; i < options.peers; i++) {
    const transport = createLossyTransport(pair.createClient(), clock, model, delays, random)
    const beater = createBeater({ id: `peer-${i}`, secret, clock, transport, intervalMs: config.intervalMs, random: () => random.next() })
    stops.push(beater.start())
    clock.advance(config.intervalMs / options.peers) // spread the peers' phases
  }
  const endMs = warmUpMs + options.hours * 3_600_000
  while (clock.now() < endMs) {
    clock.advance(1000)
    await Promise.resolve()
  }
  for (const stop of stops) await stop({ bye: false })
  await monitor.close()
  const peerHours = options.peers * options.hours
  return { label: config.label, lossRate: model.lossRate, peers: options.peers, peerHours, falseOfflines, rate: falseOfflines / peerHours }
}
