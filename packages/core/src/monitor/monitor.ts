/**
 * The monitor (server role): accepts signed frames from any number of
 * transports, keeps one deadline per peer on one timing wheel, runs the pure
 * liveness state machine, acks every accepted frame and tells its listeners
 * who is `online` and who went `offline`.
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'
import { createEventStream } from '../events/event-stream.js'
import type { EventStreamSink } from '../events/event-stream.js'
import { signAckTo } from '../signing/frame-signer.js'
import { verifyFrame } from '../signing/frame-verifier.js'
import type { VerifyResult } from '../signing/frame-verifier.js'
import type { LivenessEvent, PeerState } from '../liveness/transition.js'
import type { Monitor, MonitorEvent, MonitorListeners, Peer, RejectedInfo } from './monitor-types.js'
import { transition } from '../liveness/transition.js'
import type { MonitorOptions } from './monitor-options.js'
import { resolveMonitorOptions } from './monitor-options.js'
import { createPeerRegistry, RTT_UNKNOWN, STATE_CODES, STATE_NAMES } from './peer-registry.js'
import type { RejectReason } from '../errors/reject-reason.js'
import { rejectReasons } from '../errors/reject-reason.js'
import { checkFreshness, createReplayWindow } from '../signing/replay-window.js'
import { createKeyResolver } from '../signing/key-resolver.js'
import { createTimingWheel } from '../time/timing-wheel.js'
import { createHelloDeadlines } from './hello-deadlines.js'
import type { InboundFrame, Link, ServerTransportHandler, TransportRejection } from '../adapter/transport.js'
import { createEmitter } from '../events/typed-emitter.js'
import { snapshotOf } from '../liveness/liveness-snapshots.js'

export type { MonitorOptions } from './monitor-options.js'
export type { Monitor, MonitorEvent, MonitorListeners, MonitorStats, Peer, RejectedInfo } from './monitor-types.js'

const { alive: ALIVE, suspect: SUSPECT, dead: DEAD, left: LEFT } = STATE_CODES

// The verdict of every accepted frame: shared, so accepting allocates nothing for it.
const ACCEPTED = Object.freeze({ accepted: true as const })

export function createMonitor(options: MonitorOptions): Monitor {
  const config = resolveMonitorOptions(options)
  const keys = createKeyResolver(options)
  const { clock, detector, maxFrameBytes } = config
  const registry = createPeerRegistry(detector.stateSlots)
  const replay = createReplayWindow({ skewMs: config.skewMs })
  const emitter = createEmitter<MonitorListeners>()
  const sinks = new Set<EventStreamSink<MonitorEvent>>()
  const transportNames: string[] = []
  const rejectedCounts = Object.fromEntries(rejectReasons.map((r) => [r, 0])) as Record<RejectReason, number>
  let accepted = 0
  let guarded = 0
  let closing: Promise<void> | undefined

  const wheel = createTimingWheel({ clock, tickMs: config.tickMs, onExpire: onDeadline })

  // Links that have not yet sent a valid frame are closed when their deadline passes.
  const helloDeadlines = createHelloDeadlines({ clock, tickMs: config.tickMs, timeoutMs: config.helloTimeoutMs })
  const linkSlot = new Map<Link, number>()

  const peerOf = (slot: number): Peer => {
    const offset = slot * detector.stateSlots
    const last = registry.lastBeat[slot] as number
    const rtt = registry.rtt[slot] as number
    return {
      id: registry.idOf(slot),
      state: STATE_NAMES[registry.state[slot] as number] as PeerState,
      lastSeen: last,
      rttMs: rtt === RTT_UNKNOWN ? undefined : rtt,
      transport: transportNames[registry.transport[slot] as number] ?? 'unknown',
      remoteAddress: registry.remote.get(slot),
      suspicion: detector.suspicion(registry.detector, offset, last, clock.now()),
    }
  }

  const wanted = (event: keyof MonitorListeners): boolean => sinks.size > 0 || emitter.listenerCount(event) > 0

  function publish(event: MonitorEvent): void {
    for (const sink of sinks) sink.push(event)
    switch (event.type) {
      case 'offline':
        emitter.emit('offline', event.peer, event.reason)
        break
      case 'rejected':
        emitter.emit('rejected', event.info)
        break
      default:
        emitter.emit(event.type, event.peer)
    }
  }

  function reject(reason: RejectReason, transport: string, remoteAddress: string, detail: string, peerId?: string) {
    rejectedCounts[reason]++
    if (closing === undefined && wanted('rejected')) {
      const info: RejectedInfo = peerId === undefined
        ? { reason, transport, remoteAddress, detail }
        : { reason, transport, remoteAddress, detail, peerId }
      publish({ type: 'rejected', info })
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
        case 'close-link': {
          const link = registry.link[slot]
          registry.link[slot] = undefined
          if (link !== undefined) {
            linkSlot.delete(link)
            link.close()
          }
          break
        }
        case 'suspect':
          registry.link[slot]?.ping?.()
          if (wanted('suspect')) publish({ type: 'suspect', peer: peerOf(slot) })
          break
        case 'offline':
          if (wanted('offline')) publish({ type: 'offline', peer: peerOf(slot), reason: effect.reason })
          break
        default:
          if (wanted(effect.type)) publish({ type: effect.type, peer: peerOf(slot) })
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
    const state = registry.state[slot]
    const rising = state === DEAD && (registry.rise[slot] as number) > 0
    const now = clock.now()
    if (lagMs > config.loopLagToleranceMs && (state === ALIVE || state === SUSPECT || rising)) {
      // Local-health guard: our loop was blocked for lagMs, so beats may be waiting
      // unread in socket buffers. Give the peer the deaf time back (at most one full
      // timeout) instead of convicting it for our own stall.
      const offset = slot * detector.stateSlots
      const last = registry.lastBeat[slot] as number
      const span = detector.deadAt(registry.detector, offset, last) - last
      guarded++
      wheel.arm(slot, now + Math.min(lagMs, span))
      return
    }
    if (state === ALIVE) {
      const offset = slot * detector.stateSlots
      const deadAt = detector.deadAt(registry.detector, offset, registry.lastBeat[slot] as number)
      if (now < deadAt) {
        step(slot, { type: 'suspect-deadline' })
        if (closing === undefined && registry.state[slot] === SUSPECT) wheel.arm(slot, deadAt)
        return
      }
      step(slot, { type: 'dead-deadline' })
    } else if (state === SUSPECT || rising) {
      step(slot, { type: 'dead-deadline' })
    } else if (state === DEAD || state === LEFT) {
      forget(slot)
    }
  }

  function forget(slot: number): void {
    const link = registry.link[slot]
    if (link !== undefined) {
      // A peer that said bye but kept its connection open loses it now.
      linkSlot.delete(link)
      link.close()
    }
    wheel.cancel(slot)
    replay.forget(slot)
    registry.remove(slot)
  }

  function ingest(transportIndex: number, inbound: InboundFrame) {
    const transport = transportNames[transportIndex] as string
    if (closing !== undefined) return { accepted: false as const, reason: 'unexpected' as const }
    const verified = verifyFrame(inbound.bytes, keys, maxFrameBytes)
    if (!verified.ok) return reject(verified.reason, transport, inbound.remoteAddress, verified.detail, verified.peerId)
    const { frame } = verified
    if (frame.type === 'ack') {
      return reject('unexpected', transport, inbound.remoteAddress, 'an ack is not accepted by a monitor', frame.peerId)
    }
    let slot = registry.slotOf(frame.peerId)
    const verdict = slot < 0
      ? checkFreshness(undefined, frame, clock.wallNow(), config.skewMs)
      : replay.check(slot, frame.incarnation, frame.seq, frame.timestampMs, clock.wallNow())
    if (verdict !== 'ok') {
      return reject(verdict, transport, inbound.remoteAddress, `${verdict} frame`, frame.peerId)
    }
    const now = clock.now()
    if (slot < 0) {
      if (frame.type === 'bye') return acknowledge(inbound, verified)
      if (registry.size >= config.maxPeers) {
        return reject('peer-limit', transport, inbound.remoteAddress, `maxPeers (${config.maxPeers}) reached`, frame.peerId)
      }
      slot = registry.add(frame.peerId)
    }
    accepted++
    replay.accept(slot, frame.incarnation, frame.seq)
    registry.transport[slot] = transportIndex
    registry.remote.set(slot, inbound.remoteAddress)
    if (frame.rttMs !== undefined) registry.rtt[slot] = Math.min(frame.rttMs, RTT_UNKNOWN - 1)
    if (inbound.link !== undefined) bindLink(slot, inbound.link)

    if (frame.type === 'bye') {
      registry.lastBeat[slot] = now
      step(slot, { type: 'bye' })
    } else {
      const state = registry.state[slot]
      const offset = slot * detector.stateSlots
      if (state === ALIVE || state === SUSPECT) detector.observe(registry.detector, offset, registry.lastBeat[slot] as number, now)
      else detector.reset(registry.detector, offset, now, frame.intervalMs)
      registry.lastBeat[slot] = now
      step(slot, { type: 'beat' })
    }
    return acknowledge(inbound, verified)
  }

  function acknowledge(inbound: InboundFrame, verified: VerifyResult & { ok: true }) {
    if (closing === undefined && config.acks) {
      const { frame, canonical, key, encoding } = verified
      inbound.reply(signAckTo(frame, canonical, key, encoding, Math.floor(clock.wallNow())))
    }
    return ACCEPTED
  }

  function bindLink(slot: number, link: Link): void {
    helloDeadlines.release(link)
    const previous = registry.link[slot]
    if (previous === link) return
    if (previous !== undefined) {
      // The peer came back on a new connection: the old one is dead or a duplicate.
      linkSlot.delete(previous)
      previous.close()
    }
    const otherSlot = linkSlot.get(link)
    if (otherSlot !== undefined && registry.link[otherSlot] === link) registry.link[otherSlot] = undefined
    registry.link[slot] = link
    linkSlot.set(link, slot)
  }

  function handlerFor(transportIndex: number): ServerTransportHandler {
    const name = transportNames[transportIndex] as string
    return {
      onFrame: (inbound) => ingest(transportIndex, inbound),
      onLinkUp(link) {
        if (closing !== undefined) return link.close()
        helloDeadlines.add(link)
      },
      onLinkDown(link) {
        helloDeadlines.release(link)
        const slot = linkSlot.get(link)
        if (slot === undefined) return
        linkSlot.delete(link)
        if (registry.link[slot] !== link) return
        registry.link[slot] = undefined
        if (closing === undefined) step(slot, { type: 'link-down' })
      },
      onRejected(rejection: TransportRejection) {
        reject(rejection.reason, name, rejection.remoteAddress, rejection.detail ?? rejection.reason)
      },
    }
  }

  function register(name: string): number {
    transportNames.push(name)
    return transportNames.length - 1
  }

  config.transports.forEach((t) => register(t.name))

  const monitor: Monitor = {
    on: emitter.on,
    once: emitter.once,
    off: emitter.off,
    listenerCount: emitter.listenerCount,
    async start() {
      if (closing !== undefined) throw new HeartbeatError('HB_ERR_CLOSED', 'monitor is closed')
      const started: Promise<void>[] = config.transports.map((t, i) => t.start(handlerFor(i), { maxFrameBytes }))
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
        helloDeadlines.close()
        linkSlot.clear()
        for (const sink of sinks) sink.end()
        sinks.clear()
        emitter.removeAll()
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
      return { accepted, rejected: { ...rejectedCounts }, guarded }
    },
    events(streamOptions = {}) {
      const { iterator, sink } = createEventStream<MonitorEvent>(streamOptions, () => sinks.delete(sink))
      if (closing === undefined) sinks.add(sink)
      else sink.end()
      return iterator
    },
    [Symbol.asyncIterator]() {
      return monitor.events()
    },
    attach(transport) {
      if (transportNames.length >= 255) throw new HeartbeatError('HB_ERR_CONFIG', 'a monitor serves at most 255 transports')
      return handlerFor(register(transport.name))
    },
  }

  const onAbort = (): void => void monitor.close()
  if (options.signal?.aborted === true) void monitor.close()
  else options.signal?.addEventListener('abort', onAbort, { once: true })

  return monitor
}

