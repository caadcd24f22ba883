/**
 * `createCodeskyblueHandler`: an endpoint speaking the wire protocol of the Go
 * library github.com/codeskyblue/heartbeat v0.1.0, so its unmodified clients
 * are peers of an hb monitor, with the same `online`/`offline` events as
 * native beaters. The protocol itself (MACs, timestamps, replay rules) is
 * core's `createCodeskyblueProtocol`; this file only moves HTTP in and out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { codeskyblueContentType, createCodeskyblueProtocol } from '@hb/core/protocol'
import { HeartbeatError } from '@hb/core'
import type { Clock, KeyInput } from '@hb/core'
import type { CodeskyblueResponse } from '@hb/core/protocol'
import type { ServerTransportHandler } from '@hb/core/adapter'
import type { AttachableMonitor } from './handler-options.js'
import { checkMaxBodyBytes } from './handler-options.js'
import { formFields } from './form-fields.js'
import type { NodeBody } from './node-body.js'
import { readNodeBody } from './node-body.js'
import { remoteAddressOf, writeAnswer } from './node-request.js'
import { httpStatusFor } from './status-codes.js'
import type { HttpAnswer } from './http-answer.js'
import { httpAnswer } from './http-answer.js'

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
   * seconds (rounded down, like Go). At least 1000. Default 15 000. Give the
   * monitor the same `timeoutMs` for the Go server's offline timing.
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

const utf8 = new TextEncoder()
const headers = { 'content-type': codeskyblueContentType, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }

function textAnswer(status: number, text: string, extra: Record<string, string> = {}): HttpAnswer {
  return httpAnswer(status, { ...headers, ...extra }, utf8.encode(text))
}

const tooLarge = textAnswer(413, 'request body too large\n', { connection: 'close' })

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
  if (typeof options !== 'object' || options === null) throw new HeartbeatError('HB_ERR_CONFIG', 'createCodeskyblueHandler needs { secret }')
  const maxBodyBytes = options.maxBodyBytes ?? 4096
  checkMaxBodyBytes(maxBodyBytes)
  const protocol = createCodeskyblueProtocol({
    secret: options.secret,
    timeoutMs: options.timeoutMs,
    maxIdentifiers: options.maxIdentifiers,
    intervalMs: options.intervalMs,
    keyId: options.keyId,
    clock: options.clock,
  })
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
      handler.onRejected({ reason: result.reason, remoteAddress, detail: `codeskyblue: ${result.body.trimEnd()}` })
    }
    return deliver(handler, result, remoteAddress)
  }

  return (req, res) => {
    try {
      readNodeBody(req, maxBodyBytes, (body) => {
        try {
          const result = answer(req, body)
          if (result === tooLarge) res.once('finish', () => req.socket.destroy())
          if (result !== undefined) writeAnswer(res, result)
        } catch {
          writeAnswer(res, textAnswer(500, 'internal server error\n'))
        }
      })
    } catch {
      writeAnswer(res, textAnswer(500, 'internal server error\n'))
    }
  }
}

/**
 * Feeds a verified beat to the monitor, and answers as the Go server would,
 * unless the monitor refused the beat: then the status says why (the Go
 * client treats any non-200 as a failed beat and handshakes again).
 */
function deliver(handler: ServerTransportHandler, result: CodeskyblueResponse, remoteAddress: string): HttpAnswer {
  if (result.beat !== undefined) {
    const verdict = handler.onFrame({ bytes: result.beat.frame, remoteAddress, reply: ignoreAck })
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
