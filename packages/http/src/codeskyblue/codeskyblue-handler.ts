/**
 * `createCodeskyblueHandler`: an endpoint speaking the wire protocol of the Go
 * library github.com/codeskyblue/heartbeat v0.1.0, so its unmodified clients
 * are peers of an hb monitor, with the same `online`/`offline` events as
 * native beaters. The protocol (MACs, timestamps, replay rules) is
 * `codeskyblue-protocol.ts`; this file only moves HTTP in and out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { systemClock } from '@hb/core'
import type { Clock, KeyInput } from '@hb/core'
import { checkPositiveInteger, configError } from '@hb/core/adapter'
import type { ServerTransportHandler } from '@hb/core/adapter'
import type { AttachableMonitor } from '../handler-options.js'
import type { HttpAnswer } from '../http-answer.js'
import { httpAnswer } from '../http-answer.js'
import type { NodeBody } from '../node-body.js'
import { readNodeBody } from '../node-body.js'
import { refuseAndClose, remoteAddressOf, writeAnswer } from '../node-request.js'
import { httpStatusFor } from '../status-codes.js'
import type { CodeskyblueBeat, CodeskyblueResponse } from './codeskyblue-protocol.js'
import { createCodeskyblueProtocol } from './codeskyblue-protocol.js'
import { formFields, isFormEncoded } from './form-fields.js'
import { createLegacyFrameSigner } from './legacy-frames.js'
import { legacySecretBytes } from './legacy-secret.js'

/** Options of {@link createCodeskyblueHandler}. */
export interface CodeskyblueHandlerOptions {
  /**
   * The secret the Go clients use. The monitor must be configured with the
   * same `secret` (or a key ring / key function that returns it for `keyId`):
   * verified legacy beats reach it as hb frames signed with this secret.
   */
  secret: KeyInput
  /**
   * The Go server's `timeout`: the oldest a beat's timestamp may be, in whole
   * seconds (rounded down, like Go), and how long a session lasts without a
   * beat. At least 1000. Default 15 000. Give the monitor the same `timeoutMs`.
   */
  timeoutMs?: number
  /** Most identifiers remembered for replay protection; past it the least recently seen is forgotten. Default 100 000. */
  maxIdentifiers?: number
  /** The beat interval of the Go clients, announced to the monitor's detector. Default `timeoutMs / 3`. */
  intervalMs?: number
  /** The key id to sign the monitor-side frames under. Default `''` (the shared secret). */
  keyId?: string
  /** Largest request body read. Default 4096 (a form of three short fields). */
  maxBodyBytes?: number
  /** The monitor's clock, if it is not the system clock (tests). */
  clock?: Clock
}

/** A Node request handler. */
export type CodeskyblueHandler = (req: IncomingMessage, res: ServerResponse) => void

/** The content type of every legacy answer, as Go's `net/http` sends it. */
const TEXT = 'text/plain; charset=utf-8'
const utf8 = new TextEncoder()
const headers = { 'content-type': TEXT, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }
// Key ids as hb frames carry them (PROTOCOL.md §2): 0–64 characters in ASCII 0x21–0x7e.
const KEY_ID = /^[\x21-\x7e]{0,64}$/

function textAnswer(status: number, text: string, extra: Record<string, string> = {}): HttpAnswer {
  return httpAnswer(status, { ...headers, ...extra }, utf8.encode(text))
}

const tooLarge = textAnswer(413, 'request body too large\n', { connection: 'close' })
const unsupportedType = textAnswer(415, 'unsupported content type\n', { 'accept-post': 'application/x-www-form-urlencoded', connection: 'close' })
const internalError = textAnswer(500, 'internal server error\n')

/**
 * A Node `(req, res)` handler for Go codeskyblue/heartbeat clients; mount it
 * where the Go server was (`http.Handle("/heartbeat", hbs)` →
 * `app.all('/heartbeat', handler)`). Any method is accepted, as in Go.
 * Peers appear with `transport: 'codeskyblue'`.
 *
 * ```ts
 * const monitor = createMonitor({ secret: 'my-secret', timeoutMs: 15_000 })
 * http.createServer(createCodeskyblueHandler(monitor, { secret: 'my-secret', timeoutMs: 15_000 })).listen(7000)
 * ```
 * Create it once, at startup: each call attaches one more transport to the monitor (at most 255).
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createCodeskyblueHandler(monitor: AttachableMonitor, options: CodeskyblueHandlerOptions): CodeskyblueHandler {
  if (typeof options !== 'object' || options === null) throw configError('createCodeskyblueHandler needs { secret }')
  const maxBodyBytes = checkPositiveInteger('maxBodyBytes', options.maxBodyBytes, 4096)
  const key = legacySecretBytes(options.secret)
  const clock = options.clock ?? systemClock
  const protocol = createCodeskyblueProtocol({ keyFor: () => key, timeoutMs: options.timeoutMs, maxIdentifiers: options.maxIdentifiers, clock })
  const timeoutMs = options.timeoutMs ?? 15_000
  const intervalMs = options.intervalMs ?? Math.max(1, Math.round(timeoutMs / 3))
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > 0xffff_ffff) {
    throw configError(`intervalMs must be an integer from 1 to 2^32-1, got ${String(intervalMs)}`)
  }
  const keyId = options.keyId ?? ''
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) throw configError('keyId must be 0–64 characters in ASCII 0x21–0x7e')
  const sign = createLegacyFrameSigner({ key, keyId, intervalMs, clock })
  const handler = monitor.attach({ name: 'codeskyblue', kind: 'request' })

  function answer(req: IncomingMessage, body: NodeBody): HttpAnswer | undefined {
    if (body.kind === 'aborted') return undefined
    const remoteAddress = remoteAddressOf(req)
    if (body.kind === 'too-large') {
      handler.onRejected({ reason: 'too-large', remoteAddress, detail: `codeskyblue body over ${maxBodyBytes} bytes` })
      return tooLarge
    }
    const result = protocol.handle(formFields(req, body))
    if (result.reason !== undefined) {
      const rejection = { reason: result.reason, remoteAddress, detail: `codeskyblue: ${result.body.trimEnd()}` }
      handler.onRejected(result.peerId === undefined ? rejection : { ...rejection, peerId: result.peerId })
    }
    return deliver(handler, result, remoteAddress, sign)
  }

  return (req, res) => {
    try {
      // Go's FormValue reads a form body, and ignores a body of no declared type; refuse any other type.
      const type = req.headers['content-type']
      if (type !== undefined && !isFormEncoded(type)) return refuseAndClose(req, res, unsupportedType)
      readNodeBody(req, maxBodyBytes, (body) => {
        try {
          const result = answer(req, body)
          if (result === tooLarge) refuseAndClose(req, res, result)
          else if (result !== undefined) writeAnswer(res, result)
        } catch {
          writeAnswer(res, internalError)
        }
      })
    } catch {
      writeAnswer(res, internalError)
    }
  }
}

/**
 * Feeds a verified beat to the monitor, and answers as the Go server would,
 * unless the monitor refused the beat: then the status says why (the Go
 * client treats any non-200 as a failed beat and handshakes again).
 */
function deliver(
  handler: ServerTransportHandler,
  result: CodeskyblueResponse,
  remoteAddress: string,
  sign: (beat: CodeskyblueBeat) => Uint8Array,
): HttpAnswer {
  if (result.beat !== undefined) {
    const verdict = handler.onFrame({ bytes: sign(result.beat), remoteAddress, reply: ignoreAck })
    if (!verdict.accepted) {
      // bad-signature / unknown-key here means the monitor does not have our secret:
      // a server misconfiguration, not the client's fault.
      const misconfigured = verdict.reason === 'bad-signature' || verdict.reason === 'unknown-key'
      return textAnswer(misconfigured ? 500 : httpStatusFor(verdict.reason), `${verdict.reason}\n`)
    }
  }
  return textAnswer(result.status, result.body)
}

// The legacy client gets the legacy answer; the monitor's signed hb ack has no reader.
const ignoreAck = (): void => {}
