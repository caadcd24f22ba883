/**
 * `createCodeskyblueHandler`: an endpoint speaking the wire protocol of the Go
 * library github.com/codeskyblue/heartbeat v0.1.0, so its unmodified clients
 * are peers of an hb monitor, with the same `online`/`offline` events as
 * native beaters. The protocol (MACs, timestamps, replay rules) is
 * `codeskyblue-protocol.ts`; this file only moves HTTP in and out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AttachedHandler, Monitor } from '@hb/core'
import { checkPositiveInteger, configError } from '@hb/core/adapter'
import type { HttpAnswer } from '../http-answer.js'
import { httpAnswer } from '../http-answer.js'
import type { NodeBody } from '../node-body.js'
import { readNodeBody } from '../node-body.js'
import { refuseAndClose, remoteAddressOf, writeAnswer } from '../node-request.js'
import { httpStatusFor } from '../status-codes.js'
import type { CodeskyblueResponse } from './codeskyblue-protocol.js'
import { createCodeskyblueProtocol } from './codeskyblue-protocol.js'
import { formFields, isFormEncoded } from './form-fields.js'

/**
 * Options of {@link createCodeskyblueHandler}. The secret, the clock and the
 * timeout are the monitor's: given once, to `createMonitor`.
 */
export interface CodeskyblueHandlerOptions {
  /** Most identifiers remembered for replay protection; past it the least recently seen is forgotten. Default 100 000. */
  maxIdentifiers?: number
  /** The beat interval of the Go clients, announced to the monitor's detector. Default: the monitor's `timeoutMs / 3`. */
  intervalMs?: number
  /**
   * The key id under which the monitor has the Go clients' secret. Default
   * `''`: the monitor's `secret`. With a key ring, the id of the legacy key;
   * with a per-peer key function, it is asked for `(identifier, keyId)`, so
   * each Go client can have its own secret.
   */
  keyId?: string
  /** Largest request body read. Default 4096 (a form of three short fields). */
  maxBodyBytes?: number
}

/** The part of a monitor the endpoint uses: `attach`, whose handler brings the monitor's keys, clock and timeout. */
export type CodeskyblueMonitor = Pick<Monitor, 'attach'>

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
 * const monitor = createMonitor({ secret: 'my-secret', timeoutMs: 15_000 }) // the Go server's secret and timeout
 * http.createServer(createCodeskyblueHandler(monitor)).listen(7000)
 * ```
 * Create it once, at startup: each call attaches one more transport to the monitor (at most 255).
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createCodeskyblueHandler(monitor: CodeskyblueMonitor, options: CodeskyblueHandlerOptions = {}): CodeskyblueHandler {
  if (typeof options !== 'object' || options === null) throw configError('createCodeskyblueHandler: options must be an object')
  for (const moved of ['secret', 'timeoutMs', 'clock']) {
    // Given once, to the monitor: a second copy could only disagree with it.
    if (moved in options) throw configError(`createCodeskyblueHandler: ${moved} is the monitor's now (createMonitor({ ${moved} }))`)
  }
  const maxBodyBytes = checkPositiveInteger('maxBodyBytes', options.maxBodyBytes, 4096)
  const keyId = options.keyId ?? ''
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) throw configError('keyId must be 0–64 characters in ASCII 0x21–0x7e')
  const maxIdentifiers = checkPositiveInteger('maxIdentifiers', options.maxIdentifiers, 100_000)
  // Checked before attaching, so a bad option attaches nothing; the default needs the monitor's timeout.
  const givenIntervalMs = options.intervalMs === undefined ? undefined : checkPositiveInteger('intervalMs', options.intervalMs, 1)
  const handler = monitor.attach({ name: 'codeskyblue', kind: 'request' })
  const { clock, timeoutMs } = handler
  if (timeoutMs < 1000) throw configError(`the codeskyblue endpoint needs a monitor timeoutMs of at least 1000 (legacy timestamps are whole seconds), got ${timeoutMs}`)
  const intervalMs = givenIntervalMs ?? Math.max(1, Math.round(timeoutMs / 3))
  const protocol = createCodeskyblueProtocol({
    keyFor: (identifier) => handler.verifyingKey(identifier, keyId),
    timeoutMs,
    maxIdentifiers,
    clock,
  })

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
    return deliver(handler, result, remoteAddress, intervalMs)
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
 * Hands a verified beat to the monitor, which runs only the liveness step (the
 * MAC and the replay rule were checked here, once), and answers as the Go
 * server would, unless the monitor refused the beat (a new peer past
 * `maxPeers`, a closed monitor): then the status says why (the Go client
 * treats any non-200 as a failed beat and handshakes again).
 */
function deliver(handler: AttachedHandler, result: CodeskyblueResponse, remoteAddress: string, intervalMs: number): HttpAnswer {
  if (result.beat !== undefined) {
    const verdict = handler.onAuthenticatedBeat({ peerId: result.beat.peerId, remoteAddress, intervalMs })
    if (!verdict.accepted) return textAnswer(httpStatusFor(verdict.reason), `${verdict.reason}\n`)
  }
  return textAnswer(result.status, result.body)
}
