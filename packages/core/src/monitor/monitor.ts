/**
 * The monitor (server role): accepts signed frames from any number of
 * transports, keeps one deadline per peer on one timing wheel, runs the pure
 * liveness state machine, acks what the protocol asks it to and tells its
 * listeners who is `online` and who went `offline`.
 *
 * This file is the composition; each decision lives in a named part:
 * admission of new peers (`admission.ts`), what a fired deadline means
 * (`liveness/deadline.ts`), the state machine (`liveness/transition.ts`), the
 * links' authentication deadlines (`hello-deadlines.ts`), the peer table
 * (`peer-registry.ts`) and how it reads as a `Peer` (`peer.ts`), the events
 * (`monitor-events.ts`).
 */
import type { FrameVerdict, InboundFrame, TransportRejection } from '../adapter/transport.js'
import { HeartbeatError } from '../errors/heartbeat-error.js'
import type { RejectReason } from '../errors/reject-reason.js'
import { decideDeadline } from '../liveness/deadline.js'
import { checkInterval } from '../liveness/interval-check.js'
import { snapshotOf } from '../liveness/liveness-snapshots.js'
import type { LivenessEvent } from '../liveness/transition.js'
import { transition } from '../liveness/transition.js'
import { signAckTo } from '../signing/frame-signer.js'
import { verifyFrame } from '../signing/frame-verifier.js'
import type { VerifyResult } from '../signing/frame-verifier.js'
import { createKeyResolver } from '../signing/key-resolver.js'
import { createReplayWindow } from '../signing/replay-window.js'
import { createTimingWheel } from '../time/timing-wheel.js'
import type { Frame } from '../wire/frame.js'
import { intervalForTimeout } from '../wire/frame.js'
import { admitNewPeer } from './admission.js'
import type { StoredMark } from './admission.js'
import { createHelloDeadlines } from './hello-deadlines.js'
import { createMonitorEvents } from './monitor-events.js'
import type { RejectedInfo } from './monitor-events.js'
import type { MonitorOptions } from './monitor-options.js'
import { resolveMonitorOptions } from './monitor-options.js'
import { createPeerReader } from './peer.js'
import { createPeerRegistry, RESERVED, RTT_UNKNOWN, STATE_CODES, STATE_NAMES } from './peer-registry.js'
import { createLinkBindings } from './link-bindings.js'
import { createFrameCounters } from './frame-counters.js'
import type { AttachedHandler, AuthenticatedBeat, ReplayStore } from './extension-points.js'
import type { Monitor } from './monitor-contract.js'

export type { MonitorOptions } from './monitor-options.js'
export type { MisconfiguredInfo, MonitorEvent, MonitorListeners, RejectedInfo } from './monitor-events.js'
export type { Peer } from './peer.js'
export type { SequenceMark, StoredMark } from './admission.js'
export type { AttachedHandler, AuthenticatedBeat, ReplayStore } from './extension-points.js'
export type { Monitor, MonitorStats } from './monitor-contract.js'

const { alive: ALIVE, suspect: SUSPECT, dead: DEAD, left: LEFT } = STATE_CODES

// The verdict of every accepted frame: shared, so accepting allocates nothing for it.
const ACCEPTED = Object.freeze({ accepted: true as const })

/**
 * Creates a monitor (the server role): it tracks every peer that beats to any
 * of its transports and tells you who is `online` and who went `offline`.
 * Call `start()` to start its transports and `close()` to release them.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ secret, transports: [createUdpServer({ port: 7946 })] })
 * monitor.on('offline', (peer, reason) => console.log(peer.id, reason))
 * await monitor.start()
 * ```
 * @throws HeartbeatError `HB_ERR_CONFIG` for an invalid option (see `MonitorOptions`).
 */
export function createMonitor(options: MonitorOptions): Monitor {
  const config = resolveMonitorOptions(options)
  const keys = createKeyResolver(options)
  const { clock, detector, maxFrameBytes } = config
  const registry = createPeerRegistry(detector.stateSlots)
  const replay = createReplayWindow({ skewMs: config.skewMs })
  const events = createMonitorEvents()
  const transportNames: string[] = []
  const counters = createFrameCounters()
  const startedWallMs = clock.wallNow()
  const peerOf = createPeerReader({ registry, replay, detector, clock, transportNames })
  let replayStore: ReplayStore | undefined
  let guarded = 0
  let closing: Promise<void> | undefined

  // One timing wheel for every deadline: peers' liveness and forgetting, and links' hello deadlines.
  const wheel = createTimingWheel({ clock, tickMs: config.tickMs, onExpire: onDeadline })
  const helloDeadlines = createHelloDeadlines({ clock, wheel, registry, timeoutMs: config.helloTimeoutMs })
  const links = createLinkBindings(registry)

  function reject(reason: RejectReason, transportIndex: number, remoteAddress: string, detail: string, peerId?: string) {
    counters.reject(transportIndex, reason)
    const transport = transportNames[transportIndex] as string
    if (closing === undefined && events.wanted('rejected')) {
      const info: RejectedInfo = peerId === undefined
        ? { reason, transport, remoteAddress, detail }
        : { reason, transport, remoteAddress, detail, peerId }
      events.publish({ type: 'rejected', info })
    }
    return { accepted: false as const, reason }
  }

  /** Runs one state-machine step for a peer and carries out its effects. */
  function step(slot: number, event: LivenessEvent): void {
    const before = snapshotOf(registry.state[slot] as number, registry.rise[slot] as number)
    const { snapshot, effects } = transition(before, event, config.liveness)
    if (snapshot !== before) {
      registry.state[slot] = STATE_CODES[snapshot.state]
      registry.rise[slot] = snapshot.rise
    }
    let armed = false
    for (const effect of effects) {
      if (closing !== undefined) return
      switch (effect.type) {
        case 'arm':
          armLiveness(slot)
          armed = true
          break
        case 'disarm':
          wheel.cancel(slot)
          break
        case 'close-link':
          links.unbind(slot)?.close()
          break
        case 'suspect':
          registry.link[slot]?.ping?.()
          if (events.wanted('suspect')) events.publish({ type: 'suspect', peer: peerOf(slot) })
          break
        case 'offline':
          if (events.wanted('offline')) events.publish({ type: 'offline', peer: peerOf(slot), reason: effect.reason })
          break
        default:
          if (events.wanted(effect.type)) events.publish({ type: effect.type, peer: peerOf(slot) })
      }
    }
    const state = registry.state[slot]
    if (!armed && (state === LEFT || (state === DEAD && registry.rise[slot] === 0))) {
      // Forget no earlier than 2 × skew after the last accepted frame: by then every
      // frame accepted from this peer is stale, so forgetting its sequence is safe.
      wheel.arm(slot, (registry.lastBeat[slot] as number) + config.forgetAfterMs)
    }
  }

  function armLiveness(slot: number): void {
    const offset = slot * detector.stateSlots
    const last = registry.lastBeat[slot] as number
    const suspectAt = registry.state[slot] === ALIVE ? detector.suspectAt(registry.detector, offset, last) : Infinity
    wheel.arm(slot, Number.isFinite(suspectAt) ? suspectAt : detector.deadAt(registry.detector, offset, last))
  }

  function onDeadline(slot: number, lagMs: number): void {
    if (closing !== undefined) return
    const code = registry.state[slot] as number
    if (code === RESERVED) {
      helloDeadlines.expire(slot)
      return
    }
    const lastBeatMs = registry.lastBeat[slot] as number
    const decision = decideDeadline({
      state: STATE_NAMES[code] ?? 'new',
      rising: code === DEAD && (registry.rise[slot] as number) > 0,
      nowMs: clock.now(),
      lagMs,
      loopLagToleranceMs: config.loopLagToleranceMs,
      lastBeatMs,
      deadAtMs: detector.deadAt(registry.detector, slot * detector.stateSlots, lastBeatMs),
    })
    switch (decision.action) {
      case 'guard':
        guarded++
        wheel.arm(slot, decision.rearmAtMs)
        break
      case 'suspect':
        step(slot, { type: 'suspect-deadline' })
        if (closing === undefined && registry.state[slot] === SUSPECT) wheel.arm(slot, decision.deadAtMs)
        break
      case 'dead':
        step(slot, { type: 'dead-deadline' })
        break
      case 'forget':
        forget(slot)
        break
      case 'none':
        break
    }
  }

  function forget(slot: number): void {
    // A peer that said bye but kept its connection open loses it now.
    links.unbind(slot)?.close()
    wheel.cancel(slot)
    replay.forget(slot)
    registry.remove(slot)
  }

  /** Unknown peers: the freshness, restart and replay-store rules (`admission.ts`). */
  function admitNew(frame: Frame) {
    let stored: StoredMark | undefined
    if (replayStore !== undefined) {
      try {
        stored = replayStore.lookup(frame.peerId)
      } catch {
        // A failing store must not throw out of a socket handler; the frame waits for it.
        stored = 'pending'
      }
    }
    const { incarnation, seq, timestampMs } = frame
    return admitNewPeer({ incarnation, seq, timestampMs, wallNowMs: clock.wallNow(), skewMs: config.skewMs, startedWallMs, stored })
  }

  function ingest(transportIndex: number, inbound: InboundFrame): FrameVerdict {
    if (closing !== undefined) return { accepted: false, reason: 'unexpected' }
    const transport = transportIndex
    const verified = verifyFrame(inbound.bytes, keys, maxFrameBytes)
    if (!verified.ok) return reject(verified.reason, transport, inbound.remoteAddress, verified.detail, verified.peerId)
    const { frame } = verified
    if (frame.type === 'ack') {
      return reject('unexpected', transport, inbound.remoteAddress, 'an ack is not accepted by a monitor', frame.peerId)
    }
    let slot = registry.slotOf(frame.peerId)
    if (slot < 0) {
      const admission = admitNew(frame)
      if (!admission.ok) {
        const refused = reject(admission.reason, transport, inbound.remoteAddress, admission.detail, frame.peerId)
        if (admission.correctClock) acknowledge(inbound, verified, true)
        return refused
      }
      if (frame.type === 'bye') {
        acknowledge(inbound, verified, false)
        return ACCEPTED
      }
      if (registry.size >= config.maxPeers) {
        return reject('peer-limit', transport, inbound.remoteAddress, `maxPeers (${config.maxPeers}) reached`, frame.peerId)
      }
      slot = registry.add(frame.peerId)
    } else {
      const verdict = replay.check(slot, frame.incarnation, frame.seq, frame.timestampMs, clock.wallNow())
      if (verdict !== 'ok') {
        const refused = reject(verdict, transport, inbound.remoteAddress, `${verdict} frame`, frame.peerId)
        if (verdict === 'stale') acknowledge(inbound, verified, true)
        return refused
      }
    }
    counters.accept(transportIndex)
    replay.accept(slot, frame.incarnation, frame.seq)
    if (frame.rttMs !== undefined) registry.rtt[slot] = Math.min(frame.rttMs, RTT_UNKNOWN - 1)
    if (inbound.link !== undefined) {
      helloDeadlines.release(inbound.link)
      links.bind(slot, inbound.link)
    }
    observe(slot, transportIndex, inbound.remoteAddress, frame.type === 'bye' ? 'bye' : 'beat', frame.intervalMs, frame.adaptiveInterval === true)
    if (frame.type !== 'beat' || frame.ackRequested === true) acknowledge(inbound, verified, false)
    return ACCEPTED
  }

  /** An accepted beat, hello or bye from the peer in `slot`: the detector, the state machine, and the configuration check. */
  function observe(
    slot: number,
    transportIndex: number,
    remoteAddress: string,
    type: 'beat' | 'bye',
    announcedMs: number | undefined,
    adaptive = false,
  ): void {
    // A beater that follows our pace will beat at intervalForTimeout(timeout), whatever its hello said.
    const intervalMs = adaptive ? intervalForTimeout(config.timeoutMs) : announcedMs
    const now = clock.now()
    registry.transport[slot] = transportIndex
    registry.remote.set(slot, remoteAddress)
    if (type === 'bye') {
      registry.lastBeat[slot] = now
      step(slot, { type: 'bye' })
      return
    }
    const state = registry.state[slot]
    const offset = slot * detector.stateSlots
    if (state === ALIVE || state === SUSPECT) detector.observe(registry.detector, offset, registry.lastBeat[slot] as number, now)
    else detector.reset(registry.detector, offset, now, intervalMs)
    registry.lastBeat[slot] = now
    step(slot, { type: 'beat' })
    if (!adaptive && intervalMs !== undefined && closing === undefined && events.wanted('misconfigured')) {
      const misfit = checkInterval(intervalMs, config.timeoutMs)
      if (misfit !== undefined) events.publish({ type: 'misconfigured', peer: peerOf(slot), info: misfit })
    }
  }

  function acknowledge(inbound: InboundFrame, verified: VerifyResult & { ok: true }, clockCorrection: boolean): void {
    if (closing !== undefined || !config.acks) return
    const { frame, canonical, key, encoding } = verified
    inbound.reply(signAckTo(frame, canonical, key, encoding, Math.floor(clock.wallNow()), config.timeoutMs, clockCorrection))
  }

  function onAuthenticatedBeat(transportIndex: number, beat: AuthenticatedBeat): FrameVerdict {
    if (closing !== undefined) return { accepted: false, reason: 'unexpected' }
    const transport = transportIndex
    let slot = registry.slotOf(beat.peerId)
    if (slot < 0) {
      if (registry.size >= config.maxPeers) {
        return reject('peer-limit', transport, beat.remoteAddress, `maxPeers (${config.maxPeers}) reached`, beat.peerId)
      }
      slot = registry.add(beat.peerId)
    }
    counters.accept(transportIndex)
    observe(slot, transportIndex, beat.remoteAddress, 'beat', registry.state[slot] === ALIVE || registry.state[slot] === SUSPECT ? undefined : beat.intervalMs)
    return ACCEPTED
  }

  function handlerFor(transportIndex: number): AttachedHandler {
    return {
      onFrame: (inbound) => ingest(transportIndex, inbound),
      onLinkUp(link) {
        if (closing !== undefined) return link.close()
        helloDeadlines.add(link)
      },
      onLinkDown(link) {
        helloDeadlines.release(link)
        const slot = links.down(link)
        if (slot >= 0 && closing === undefined) step(slot, { type: 'link-down' })
      },
      onRejected(rejection: TransportRejection) {
        reject(rejection.reason, transportIndex, rejection.remoteAddress, rejection.detail ?? rejection.reason, rejection.peerId)
      },
      clock,
      timeoutMs: config.timeoutMs,
      verifyingKey: (peerId, keyId) => keys.verifyingKey(peerId, keyId),
      onAuthenticatedBeat: (beat) => onAuthenticatedBeat(transportIndex, beat),
    }
  }

  function register(name: string): number {
    transportNames.push(name)
    counters.register(name)
    return transportNames.length - 1
  }

  config.transports.forEach((t) => register(t.name))

  const monitor: Monitor = {
    on: events.emitter.on,
    once: events.emitter.once,
    off: events.emitter.off,
    listenerCount: events.emitter.listenerCount,
    async start() {
      if (closing !== undefined) throw new HeartbeatError('HB_ERR_CLOSED', 'monitor is closed')
      const startOptions = { maxFrameBytes, helloTimeoutMs: config.helloTimeoutMs }
      const started: Promise<void>[] = config.transports.map((t, i) => t.start(handlerFor(i), startOptions))
      const results = await Promise.allSettled(started)
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed !== undefined) {
        await monitor.close()
        throw HeartbeatError.isInstance(failed.reason)
          ? failed.reason
          : new HeartbeatError('HB_ERR_TRANSPORT', 'a transport failed to start', { cause: failed.reason })
      }
    },
    close() {
      closing ??= (async () => {
        options.signal?.removeEventListener('abort', onAbort)
        await Promise.allSettled(config.transports.map((t) => t.close()))
        wheel.close()
        helloDeadlines.clear()
        links.clear()
        events.end()
      })()
      return closing
    },
    get(id) {
      const slot = registry.slotOf(id)
      return slot < 0 ? undefined : peerOf(slot)
    },
    peers() {
      return Array.from(registry.slots(), peerOf)
    },
    get size() {
      return registry.size
    },
    stats() {
      return { ...counters.snapshot(), guarded }
    },
    events(streamOptions = {}) {
      return events.stream(streamOptions, closing !== undefined)
    },
    [Symbol.asyncIterator]() {
      return monitor.events()
    },
    attach(transport) {
      if (transportNames.length >= 255) throw new HeartbeatError('HB_ERR_CONFIG', 'a monitor serves at most 255 transports')
      return handlerFor(register(transport.name))
    },
    useReplayStore(store) {
      replayStore = store
    },
  }

  const onAbort = (): void => void monitor.close()
  if (options.signal?.aborted === true) void monitor.close()
  else options.signal?.addEventListener('abort', onAbort, { once: true })

  return monitor
}

