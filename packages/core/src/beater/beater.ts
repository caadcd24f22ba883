/**
 * The beater (client role): sends a signed `hello`, then a signed `beat` every
 * interval, measures RTT from the server's acks, says when the server stopped
 * answering, and reconnects connection transports with backoff.
 *
 * `const stop = beater.start()` mirrors codeskyblue/heartbeat's
 * `cancel := client.Beat(interval)`; `await stop()` sends `bye` (the peer goes
 * offline at once), `await stop({ bye: false })` goes silent as a crash would.
 */
import type { BackoffOptions } from './backoff.js'
import { backoffDelay, resolveBackoff } from './backoff.js'
import type { Clock, TimerHandle } from '../time/clock.js'
import { systemClock } from '../time/clock.js'
import { configError, HeartbeatError } from '../errors/heartbeat-error.js'
import type { FrameFields, FrameType } from '../wire/frame.js'
import { DEFAULT_MAX_FRAME_BYTES, MAX_PEER_ID_BYTES } from '../wire/frame.js'
import { signFrame, signFrameWeb } from '../signing/frame-signer.js'
import { verifyFrame, verifyFrameWeb } from '../signing/frame-verifier.js'
import type { VerifyResult } from '../signing/frame-verifier.js'
import { hasSyncHmac } from '../signing/hmac.js'
import type { KeyOptions } from '../signing/key-resolver.js'
import { createKeyResolver } from '../signing/key-resolver.js'
import type { ClientTransport, ClientTransportHandler } from '../adapter/transport.js'
import type { TypedEmitter } from '../events/typed-emitter.js'
import { createEmitter } from '../events/typed-emitter.js'

export interface BeaterOptions extends KeyOptions {
  /** This peer's id: UTF-8, 1–255 bytes. */
  id: string
  transport: ClientTransport
  /** Time between beats. Default 5000. */
  intervalMs?: number
  /** Spread of each interval as a fraction: it is drawn from intervalMs × [1 − jitter/2, 1 + jitter/2]. Default 0.1. */
  jitter?: number
  /** `server-lost` after this many beat intervals in a row without an ack. Default 3. */
  missedAcks?: number
  /**
   * Whether the server acks (default true). `false` for a monitor in one-way
   * mode (`acks: false`): no RTT, and no `server-lost` (nothing to miss).
   */
  expectAcks?: boolean
  /** Backoff between reconnection attempts (connection transports, and failed connects). */
  reconnect?: BackoffOptions
  /**
   * A connection attempt still pending after this long is aborted (through the
   * transport's `disconnect()`) and retried with backoff: a blackholed server
   * would otherwise hold a TCP connect for minutes. Default 10 000.
   */
  connectTimeoutMs?: number
  clock?: Clock
  maxFrameBytes?: number
  /** Source of randomness for jitter and backoff, [0, 1). Default `Math.random`. */
  random?: () => number
  /** Stops the beater (with `bye`) when aborted. */
  signal?: AbortSignal
  /**
   * Which HMAC implementation signs: `node` (synchronous node:crypto, the default
   * where it exists) or `web` (WebCrypto, asynchronous: the default in browsers).
   */
  crypto?: 'node' | 'web'
}

export interface AckInfo {
  /** Round trip of this frame, by the beater's clock. */
  readonly rttMs: number
  readonly seq: number
}

export type BeaterListeners = {
  ack: (info: AckInfo) => void
  /** `missedAcks` intervals passed without an ack. Connection transports are then reconnected. */
  'server-lost': (info: { missedAcks: number }) => void
  /** An ack arrived again after `server-lost`. */
  'server-back': (info: AckInfo) => void
  /** The transport connected (or reconnected). */
  connect: () => void
  /** The link went down (connection transports); a reconnect is scheduled. */
  disconnect: (error: Error | undefined) => void
  /** A send or connect failed. The beater keeps going; this is for logging. */
  error: (error: HeartbeatError) => void
}

export interface StopOptions {
  /** Send `bye` first so the monitor reports `offline` with reason `left` at once. Default true. */
  bye?: boolean
}

export type StopFunction = (options?: StopOptions) => Promise<void>

export interface BeaterStats {
  readonly sent: number
  readonly acked: number
  readonly rejectedAcks: number
  readonly reconnects: number
}

export interface Beater extends TypedEmitter<BeaterListeners> {
  /** Starts beating; returns the function that stops it. A beater runs once: start it again and it throws `HB_ERR_CLOSED`. */
  start(): StopFunction
  readonly running: boolean
  /** The last measured RTT, if any. */
  readonly rttMs: number | undefined
  /** True between `server-lost` and the next ack. */
  readonly serverLost: boolean
  stats(): BeaterStats
}

const OUTSTANDING_LIMIT = 16
const SEQ_LIMIT = 0xffff_ffff
const utf8 = new TextEncoder()

export function createBeater(options: BeaterOptions): Beater {
  const { id, transport } = options
  const idBytes = typeof id === 'string' ? utf8.encode(id).length : 0
  if (idBytes < 1 || idBytes > MAX_PEER_ID_BYTES) throw configError('id must be a string of 1 to 255 UTF-8 bytes')
  const keys = createKeyResolver(options)
  const clock = options.clock ?? systemClock
  const intervalMs = options.intervalMs ?? 5000
  if (!(intervalMs >= 1) || !Number.isFinite(intervalMs) || intervalMs > SEQ_LIMIT) throw configError('intervalMs must be a number from 1 to 2^32-1')
  const jitter = options.jitter ?? 0.1
  if (!(jitter >= 0 && jitter <= 1)) throw configError('jitter must be between 0 and 1')
  const missedAcks = options.missedAcks ?? 3
  if (!Number.isInteger(missedAcks) || missedAcks < 1) throw configError('missedAcks must be a positive integer')
  const expectAcks = options.expectAcks ?? true
  const backoff = resolveBackoff(options.reconnect)
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000
  if (!(connectTimeoutMs > 0)) throw configError('connectTimeoutMs must be a positive number')
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  const random = options.random ?? Math.random
  const emitter = createEmitter<BeaterListeners>()
  // Node signs synchronously; a browser has only WebCrypto, which is asynchronous.
  const syncCrypto = options.crypto === 'web' ? false : hasSyncHmac()
  let sendChain: Promise<void> = Promise.resolve()

  let phase: 'idle' | 'running' | 'stopped' = 'idle'
  let connected = false
  let timer: TimerHandle | undefined
  let connectDeadline: TimerHandle | undefined
  let incarnation = 0
  let seq = 0
  let attempt = 0
  let missed = 0
  let ackedSinceTick = false
  let lost = false
  let lastRtt: number | undefined
  let stopping: Promise<void> | undefined
  const outstanding = new Map<number, number>()
  let sent = 0
  let acked = 0
  let rejectedAcks = 0
  let reconnects = 0

  const handler: ClientTransportHandler = {
    onFrame: onAck,
    onLinkDown(error) {
      if (phase !== 'running' || !connected) return
      connected = false
      cancelTimer()
      emitter.emit('disconnect', error)
      scheduleReconnect()
    },
  }

  function cancelTimer(): void {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
  }

  function cancelConnectDeadline(): void {
    if (connectDeadline !== undefined) clock.clearTimeout(connectDeadline)
    connectDeadline = undefined
  }

  function fail(error: unknown, message: string): void {
    const wrapped = HeartbeatError.isInstance(error) ? error : new HeartbeatError('HB_ERR_TRANSPORT', message, { cause: error })
    emitter.emit('error', wrapped)
  }

  function connect(): void {
    timer = undefined
    let settled = false
    if (transport.disconnect !== undefined) {
      connectDeadline = clock.setTimeout(() => {
        connectDeadline = undefined
        if (settled || phase !== 'running') return
        fail(new HeartbeatError('HB_ERR_TIMEOUT', `connect did not complete within ${connectTimeoutMs} ms`), '')
        transport.disconnect?.() // aborts the attempt: the pending connect() rejects, and we retry
      }, connectTimeoutMs)
    }
    const done = (): void => {
      settled = true
      cancelConnectDeadline()
    }
    transport.connect(handler, { maxFrameBytes }).then(
      () => {
        done()
        if (phase !== 'running') return
        connected = true
        attempt = 0
        emitter.emit('connect')
        send('hello')
        scheduleBeat()
      },
      (error: unknown) => {
        done()
        if (phase !== 'running') return
        fail(error, 'connect failed')
        scheduleReconnect()
      },
    )
  }

  function scheduleReconnect(): void {
    reconnects++
    timer = clock.setTimeout(connect, backoffDelay(attempt++, backoff, random))
  }

  function scheduleBeat(): void {
    const delay = intervalMs * (1 - jitter / 2 + random() * jitter)
    timer = clock.setTimeout(onBeatTimer, delay)
  }

  function onBeatTimer(): void {
    timer = undefined
    if (phase !== 'running') return
    if (ackedSinceTick || !expectAcks) missed = 0
    else missed++
    ackedSinceTick = false
    if (missed >= missedAcks && !lost) {
      lost = true
      emitter.emit('server-lost', { missedAcks: missed })
      if (transport.kind === 'connection' && transport.disconnect !== undefined) {
        // A silent server on a live-looking connection (half-open socket, a proxy
        // answering for a dead backend): drop the link; onLinkDown reconnects.
        transport.disconnect()
        if (!connected || phase !== 'running') return
      }
    }
    send('beat')
    scheduleBeat()
  }

  function send(type: FrameType): Promise<void> {
    if (seq > SEQ_LIMIT) {
      incarnation = Math.max(Math.floor(clock.wallNow()), incarnation + 1)
      seq = 0
    }
    let signed: Uint8Array | Promise<Uint8Array>
    try {
      const { keyId, key } = keys.signingKey(id)
      const fields: FrameFields = { type, peerId: id, keyId, incarnation, seq, timestampMs: Math.floor(clock.wallNow()) }
      if (type === 'hello') fields.intervalMs = Math.round(intervalMs)
      if (type === 'beat' && lastRtt !== undefined) fields.rttMs = Math.min(Math.round(lastRtt), SEQ_LIMIT - 1)
      signed = syncCrypto ? signFrame(fields, key, transport.encoding) : signFrameWeb(fields, key, transport.encoding)
    } catch (error) {
      // A key function that fails is reported, not thrown out of a timer callback.
      fail(error, `signing ${type} failed`)
      return Promise.resolve()
    }
    if (type !== 'bye' && expectAcks) {
      outstanding.set(seq, clock.now())
      if (outstanding.size > OUTSTANDING_LIMIT) outstanding.delete(outstanding.keys().next().value as number)
    }
    seq++
    sent++
    const reportFailure = (error: unknown): void => {
      if (phase === 'running') fail(error, `sending ${type} failed`)
    }
    if (signed instanceof Uint8Array) return transport.send(signed).catch(reportFailure)
    // WebCrypto signs asynchronously: chain the sends so frames leave in sequence order.
    const bytes = signed
    sendChain = sendChain.then(async () => transport.send(await bytes)).catch(reportFailure)
    return sendChain
  }

  function onAck(bytes: Uint8Array): void {
    if (phase !== 'running') return
    if (syncCrypto) accept(verifyFrame(bytes, keys, maxFrameBytes))
    else void verifyFrameWeb(bytes, keys, maxFrameBytes).then(accept)
  }

  function accept(verified: VerifyResult): void {
    if (phase !== 'running') return
    if (!verified.ok) {
      rejectedAcks++
      return
    }
    const { frame } = verified
    const sentAt = outstanding.get(frame.seq)
    if (frame.type !== 'ack' || frame.peerId !== id || frame.incarnation !== incarnation || sentAt === undefined) {
      rejectedAcks++
      return
    }
    outstanding.delete(frame.seq)
    const info: AckInfo = { rttMs: clock.now() - sentAt, seq: frame.seq }
    lastRtt = info.rttMs
    acked++
    ackedSinceTick = true
    missed = 0
    if (lost) {
      lost = false
      emitter.emit('server-back', info)
    }
    emitter.emit('ack', info)
  }

  async function shutdown(bye: boolean): Promise<void> {
    const wasConnected = connected
    options.signal?.removeEventListener('abort', onAbort)
    cancelTimer()
    cancelConnectDeadline()
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

  const beater: Beater = {
    on: emitter.on,
    once: emitter.once,
    off: emitter.off,
    listenerCount: emitter.listenerCount,
    start() {
      if (phase !== 'idle') throw new HeartbeatError('HB_ERR_CLOSED', 'a beater runs once; create a new one to start again')
      phase = 'running'
      incarnation = Math.max(Math.floor(clock.wallNow()), incarnation + 1)
      seq = 0
      if (options.signal?.aborted === true) {
        void stop({ bye: false })
        return stop
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      connect()
      return stop
    },
    get running() {
      return phase === 'running'
    },
    get rttMs() {
      return lastRtt
    },
    get serverLost() {
      return lost
    },
    stats() {
      return { sent, acked, rejectedAcks, reconnects }
    },
  }
  return beater
}
