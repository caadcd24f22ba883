/**
 * How a beater's frames are numbered, stamped, signed and sent: the
 * `(incarnation, seq)` pair of PROTOCOL.md §1 (a new incarnation at every
 * start and when `seq` would wrap), the timestamp in the monitor's time, and
 * the signing (synchronous over node:crypto; over WebCrypto in browsers, with
 * the sends chained so frames leave in sequence order).
 */
import type { ClientTransport } from '../adapter/transport.js'
import { signFrame, signFrameWeb } from '../signing/frame-signer.js'
import type { KeyResolver } from '../signing/key-resolver.js'
import type { Clock } from '../time/clock.js'
import type { FrameFields, FrameType } from '../wire/frame.js'
import { MAX_RTT_MS, MAX_U32 } from '../wire/frame.js'

/** What varies from frame to frame, beyond its type. */
export interface OutgoingFrame {
  readonly type: FrameType
  /** Set the ack-requested flag. */
  readonly requestAck: boolean
  /** `hello`: the interval to announce, and whether it is provisional (the beater follows the monitor). */
  readonly intervalMs?: number
  readonly adaptiveInterval?: boolean
  /** `beat`: the last measured RTT. */
  readonly rttMs?: number
  /** The monitor's clock minus this machine's, once learned (PROTOCOL.md §6.2). */
  readonly clockOffsetMs: number | undefined
  /** Called with the frame's `seq` once it is signed, before it is sent (an ack can arrive during the send). */
  readonly beforeSend?: (seq: number) => void
}

export interface FrameSender {
  /** Starts a new incarnation (a beater's start). */
  restart(): void
  /**
   * Signs and sends one frame; returns its `seq`, or `undefined` if it could
   * not be signed (reported through `onError`). `done` settles once the
   * transport took it; a failed send is reported, never thrown.
   */
  send(frame: OutgoingFrame): { seq: number | undefined; done: Promise<void> }
  readonly incarnation: number
  readonly sent: number
}

export function createFrameSender(options: {
  id: string
  keys: KeyResolver
  clock: Clock
  transport: ClientTransport
  syncCrypto: boolean
  onError(error: unknown, message: string): void
}): FrameSender {
  const { id, keys, clock, transport } = options
  let incarnation = 0
  let seq = 0
  let sent = 0
  let chain: Promise<void> = Promise.resolve()

  function newIncarnation(): void {
    incarnation = Math.max(Math.floor(clock.wallNow()), incarnation + 1)
    seq = 0
  }

  return {
    restart: newIncarnation,
    send(frame) {
      if (seq > MAX_U32) newIncarnation()
      const { type } = frame
      let signed: Uint8Array | Promise<Uint8Array>
      try {
        const { keyId, key } = keys.signingKey(id)
        const timestampMs = Math.max(0, Math.floor(clock.wallNow() + (frame.clockOffsetMs ?? 0)))
        const fields: FrameFields = { type, peerId: id, keyId, incarnation, seq, timestampMs }
        if (type === 'hello') {
          fields.intervalMs = Math.round(frame.intervalMs ?? 1)
          if (frame.adaptiveInterval === true) fields.adaptiveInterval = true
        }
        if (frame.requestAck) fields.ackRequested = true
        if (type === 'beat' && frame.rttMs !== undefined) fields.rttMs = Math.min(Math.round(frame.rttMs), MAX_RTT_MS)
        signed = options.syncCrypto ? signFrame(fields, key, transport.encoding) : signFrameWeb(fields, key, transport.encoding)
      } catch (error) {
        // A key function that fails is reported, not thrown out of a timer callback.
        options.onError(error, `signing ${type} failed`)
        return { seq: undefined, done: Promise.resolve() }
      }
      const frameSeq = seq++
      sent++
      frame.beforeSend?.(frameSeq)
      const report = (error: unknown): void => options.onError(error, `sending ${type} failed`)
      if (signed instanceof Uint8Array) return { seq: frameSeq, done: transport.send(signed).catch(report) }
      const bytes = signed
      chain = chain.then(async () => transport.send(await bytes)).catch(report)
      return { seq: frameSeq, done: chain }
    },
    get incarnation() {
      return incarnation
    },
    get sent() {
      return sent
    },
  }
}
