/**
 * The beater (client role): sends a signed `hello`, then a signed `beat` every
 * interval, asks for an ack every few beats, measures RTT and the monitor's
 * clock from the acks, says when the server stopped answering, and reconnects
 * connection transports with backoff.
 *
 * `const stop = beater.start()` mirrors codeskyblue/heartbeat's
 * `cancel := client.Beat(interval)`; `await stop()` sends `bye` (the peer goes
 * offline at once), `await stop({ bye: false })` goes silent as a crash would.
 *
 * This file is the composition; each decision lives in a named part: the
 * options (`beater-options.ts`), when to ask for an ack and when the server is
 * lost (`ack-schedule.ts`), the monitor's clock (`clock-offset.ts`), the pace
 * (`intervalForTimeout`), connecting (`connector.ts`), numbering and signing
 * frames (`frame-sender.ts`).
 */
import type { ClientTransportHandler } from '../adapter/transport.js'
import { HeartbeatError } from '../errors/heartbeat-error.js'
import type { TypedEmitter } from '../events/typed-emitter.js'
import { createEmitter } from '../events/typed-emitter.js'
import { verifyFrame, verifyFrameWeb } from '../signing/frame-verifier.js'
import type { VerifyResult } from '../signing/frame-verifier.js'
import type { TimerHandle } from '../time/clock.js'
import type { FrameType } from '../wire/frame.js'
import { intervalForTimeout } from '../wire/frame.js'
import { checkInterval } from '../liveness/interval-check.js'
import type { AckScheduleState } from './ack-schedule.js'
import { afterHello, onAcked, planBeat } from './ack-schedule.js'
import type { AckInfo, BeaterListeners, BeaterStats, StopFunction } from './beater-events.js'
import type { BeaterOptions } from './beater-options.js'
import { resolveBeaterOptions } from './beater-options.js'
import { nextBeatDelay } from './beat-phase.js'
import { nextClockOffset } from './clock-offset.js'
import { createConnector } from './connector.js'
import { createFrameSender } from './frame-sender.js'

export type { AckInfo, BeaterListeners, BeaterStats, ServerLostInfo, StopFunction, StopOptions } from './beater-events.js'
export type { BeaterOptions } from './beater-options.js'

export interface Beater extends TypedEmitter<BeaterListeners> {
  /** Starts beating; returns the function that stops it. A beater runs once: start it again and it throws `HB_ERR_CLOSED`. */
  start(): StopFunction
  readonly running: boolean
  /** The last measured RTT, if any. */
  readonly rttMs: number | undefined
  /** True between `server-lost` and the next ack. */
  readonly serverLost: boolean
  /** The interval in use now: `intervalMs` if given, else learned from the monitor's announced timeout. */
  readonly intervalMs: number
  /** How far the monitor's wall clock is ahead of this machine's, learned from acks (ms); `undefined` before the first ack. */
  readonly clockOffsetMs: number | undefined
  stats(): BeaterStats
}

/**
 * The interval before the monitor's timeout is known (the first ack), and in
 * one-way mode: the pace of a monitor with the default timeout (15 000 ms).
 */
const FALLBACK_INTERVAL_MS = intervalForTimeout(15_000)
/** Requested frames remembered for their acks (older ones are given up). */
const OUTSTANDING_LIMIT = 16

/**
 * Creates a beater (the client role) for one peer id over one client
 * transport. `start()` sends a `hello`, then beats at the monitor's pace (or
 * `intervalMs`) until the function it returns is called; that function sends
 * `bye` unless told not to.
 *
 * @example
 * ```ts
 * const beater = createBeater({ id: 'worker-17', secret, transport: createUdpClient({ host, port: 7946 }) })
 * const stop = beater.start()
 * process.on('SIGTERM', () => void stop())
 * ```
 * @throws HeartbeatError `HB_ERR_CONFIG` for an invalid option (see `BeaterOptions`).
 */
export function createBeater(options: BeaterOptions): Beater {
  const config = resolveBeaterOptions(options)
  const { id, transport, clock, keys, expectAcks, fixedIntervalMs } = config
  const emitter = createEmitter<BeaterListeners>()

  let phase: 'idle' | 'running' | 'stopped' = 'idle'
  let connected = false
  let intervalMs = fixedIntervalMs ?? FALLBACK_INTERVAL_MS
  let beatTimer: TimerHandle | undefined
  let schedule: AckScheduleState = afterHello
  let lost = false
  let lastRtt: number | undefined
  let clockOffset: number | undefined
  let announcedTimeoutMs: number | undefined
  /** One immediate resend per beat interval at most, after a clock-correction ack. */
  let correctionResent = false
  let stopping: Promise<void> | undefined
  /** seq → `clock.now()` when sent, for the frames that asked for an ack. */
  const outstanding = new Map<number, number>()
  let acked = 0
  let rejectedAcks = 0
  /** This beater's slot of the interval, for `phase: 'slot'` (drawn only then: a seeded `random` spreads as before). */
  const slotDraw = config.phase === 'slot' ? config.random() : 0

  const running = (): boolean => phase === 'running'

  function fail(error: unknown, message: string): void {
    if (!running()) return
    emitter.emit('error', HeartbeatError.isInstance(error) ? error : new HeartbeatError('HB_ERR_TRANSPORT', message, { cause: error }))
  }

  const handler: ClientTransportHandler = {
    onFrame(bytes) {
      if (!running()) return
      if (config.syncCrypto) onAck(verifyFrame(bytes, keys, config.maxFrameBytes))
      else void verifyFrameWeb(bytes, keys, config.maxFrameBytes).then(onAck)
    },
    onLinkDown(error) {
      if (!running() || !connected) return
      connected = false
      cancelBeat()
      emitter.emit('disconnect', error)
      connector.reconnect()
    },
  }

  const connector = createConnector({
    ...config,
    handler,
    isRunning: running,
    onError: fail,
    onConnected() {
      connected = true
      emitter.emit('connect')
      schedule = { ...afterHello, missed: schedule.missed }
      send('hello')
      scheduleBeat()
    },
  })

  const sender = createFrameSender({ ...config, onError: fail })

  function send(type: FrameType, requestAck = false): Promise<void> {
    // hello and bye are always acked; the flag says so on the wire too.
    const asks = expectAcks && (requestAck || type !== 'beat')
    return sender.send({
      type,
      requestAck: asks,
      intervalMs,
      adaptiveInterval: fixedIntervalMs === undefined && expectAcks,
      ...(lastRtt === undefined ? {} : { rttMs: lastRtt }),
      clockOffsetMs: clockOffset,
      ...(asks && type !== 'bye' ? { beforeSend: track } : {}),
    }).done
  }

  /** Remembers a frame that asked for an ack, to match the ack and measure the RTT. */
  function track(seq: number): void {
    outstanding.set(seq, clock.now())
    if (outstanding.size > OUTSTANDING_LIMIT) outstanding.delete(outstanding.keys().next().value as number)
  }

  function cancelBeat(): void {
    if (beatTimer !== undefined) clock.clearTimeout(beatTimer)
    beatTimer = undefined
  }

  function scheduleBeat(): void {
    const delay = nextBeatDelay({
      phase: config.phase,
      intervalMs,
      jitter: config.jitter,
      draw: config.random(),
      slotDraw,
      monitorWallMs: clock.wallNow() + (clockOffset ?? 0),
    })
    beatTimer = clock.setTimeout(onBeatTimer, delay)
  }

  function onBeatTimer(): void {
    beatTimer = undefined
    if (!running()) return
    correctionResent = false
    let requestAck = false
    if (expectAcks) {
      const plan = planBeat(schedule, config.ackEvery, config.missedAcks)
      schedule = plan.state
      requestAck = plan.requestAck
      if (plan.lost && !lost) onServerLost(plan.state.missed)
      if (!connected || !running()) return
    }
    send('beat', requestAck)
    scheduleBeat()
  }

  function onServerLost(missed: number): void {
    lost = true
    emitter.emit('server-lost', { missedAcks: missed })
    // A silent server on a live-looking connection (half-open socket, a proxy
    // answering for a dead backend): drop the link; onLinkDown reconnects.
    if (transport.kind === 'connection') transport.disconnect?.()
  }

  function onAck(verified: VerifyResult): void {
    if (!running()) return
    const frame = verified.ok ? verified.frame : undefined
    const sentAt = frame === undefined ? undefined : outstanding.get(frame.seq)
    if (frame === undefined || frame.type !== 'ack' || frame.peerId !== id || frame.incarnation !== sender.incarnation || sentAt === undefined) {
      rejectedAcks++
      return
    }
    outstanding.delete(frame.seq)
    const info: AckInfo = { rttMs: clock.now() - sentAt, seq: frame.seq }
    clockOffset = nextClockOffset(clockOffset, frame, clock.wallNow(), info.rttMs)
    if (frame.timeoutMs !== undefined) learnTimeout(frame.timeoutMs)
    if (frame.clockCorrection === true) {
      // The monitor refused that frame for its timestamp: not an ack of liveness.
      // Send again at once, now in the monitor's time (once per interval at most).
      if (!correctionResent && connected) {
        correctionResent = true
        void send('hello')
      }
      return
    }
    lastRtt = info.rttMs
    acked++
    schedule = onAcked(schedule)
    if (lost) {
      lost = false
      emitter.emit('server-back', info)
    }
    emitter.emit('ack', info)
  }

  /** The monitor's announced timeout: sets the pace when no interval was given, else checks the given one. */
  function learnTimeout(timeoutMs: number): void {
    if (timeoutMs === announcedTimeoutMs) return
    announcedTimeoutMs = timeoutMs
    if (fixedIntervalMs === undefined) {
      const learned = intervalForTimeout(timeoutMs)
      if (learned === intervalMs) return
      intervalMs = learned
      // A beat already waiting at the old pace is moved: the monitor's deadline may come first.
      if (beatTimer !== undefined && connected) {
        cancelBeat()
        scheduleBeat()
      }
    } else {
      const misfit = checkInterval(fixedIntervalMs, timeoutMs)
      if (misfit !== undefined) emitter.emit('misconfigured', misfit)
    }
  }

  async function shutdown(bye: boolean): Promise<void> {
    const wasConnected = connected
    options.signal?.removeEventListener('abort', onAbort)
    cancelBeat()
    connector.cancel()
    if (bye && wasConnected) await send('bye')
    phase = 'stopped'
    connected = false
    outstanding.clear()
    await transport.close()
    emitter.removeAll()
  }

  const stop: StopFunction = (stopOptions = {}) => {
    if (phase === 'idle') phase = 'stopped'
    stopping ??= shutdown(stopOptions.bye ?? true)
    return stopping
  }

  const onAbort = (): void => void stop()

  return {
    on: emitter.on,
    once: emitter.once,
    off: emitter.off,
    listenerCount: emitter.listenerCount,
    start() {
      if (phase !== 'idle') throw new HeartbeatError('HB_ERR_CLOSED', 'a beater runs once; create a new one to start again')
      phase = 'running'
      sender.restart()
      if (options.signal?.aborted === true) {
        void stop({ bye: false })
        return stop
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      connector.connect()
      return stop
    },
    get running() {
      return running()
    },
    get rttMs() {
      return lastRtt
    },
    get serverLost() {
      return lost
    },
    get intervalMs() {
      return intervalMs
    },
    get clockOffsetMs() {
      return clockOffset
    },
    stats() {
      return { sent: sender.sent, acked, rejectedAcks, reconnects: connector.reconnects }
    },
  }
}
