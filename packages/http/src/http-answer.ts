/**
 * The framework-neutral answer to one beat request, shared by the Node and the
 * fetch handlers so both give the same status, headers and body for the same
 * request.
 */
import type { RejectReason } from '@hb/core'
import type { ServerTransportHandler } from '@hb/core/adapter'
import type { RequestError } from './status-codes.js'
import { httpStatusFor } from './status-codes.js'
import type { ackMediaType } from './content-type.js'
import { acceptedMediaTypes } from './content-type.js'

/** Status, headers (lower-case names) and body of a response, before any framework writes it. */
export interface HttpAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /**
   * The same headers as `[name, value, name, value, …]`, plus `content-length`
   * if there is a body: what Node's `writeHead` takes as it is, without the
   * object it would otherwise be given to walk (the per-beat path).
   */
  readonly headerList: readonly string[]
  /** `null` for 204. */
  readonly body: Uint8Array | null
}

const utf8 = new TextEncoder()
const noStore = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const
/** Every answer without extra headers is built once, whatever the request: error bodies never echo input. */
const errorAnswers = new Map<string, HttpAnswer>()

/** An answer with its `headerList` filled in. */
export function httpAnswer(status: number, headers: Readonly<Record<string, string>>, body: Uint8Array | null): HttpAnswer {
  const headerList = Object.entries(headers).flat()
  if (body !== null) headerList.push('content-length', String(body.length))
  return { status, headers, headerList, body }
}

/**
 * `{"error":"<code>"}` with the given status. The code is one of a fixed set,
 * never anything from the request, so an error body cannot echo input.
 */
export function errorAnswer(status: number, error: RejectReason | RequestError, headers?: Record<string, string>): HttpAnswer {
  const key = headers === undefined ? `${status} ${error}` : undefined
  const known = key === undefined ? undefined : errorAnswers.get(key)
  if (known !== undefined) return known
  const body = utf8.encode(JSON.stringify({ error }))
  const answer = httpAnswer(status, { 'content-type': 'application/json', ...noStore, ...headers }, body)
  if (key !== undefined) errorAnswers.set(key, answer)
  return answer
}

const tooLarge = errorAnswer(413, 'too-large', { connection: 'close' })
const unsupported = errorAnswer(415, 'unsupported-media-type', { 'accept-post': acceptedMediaTypes })
const unsupportedClose = errorAnswer(415, 'unsupported-media-type', { 'accept-post': acceptedMediaTypes, connection: 'close' })

/** 413, with `Connection: close`: the rest of an oversized body is never read, so the connection cannot be reused. */
export function tooLargeAnswer(): HttpAnswer {
  return tooLarge
}

/** 415 for a Content-Type that is neither encoding, naming the two; `close` when a body is on its way (it is not read). */
export function unsupportedMediaTypeAnswer(close: boolean): HttpAnswer {
  return close ? unsupportedClose : unsupported
}

/** The media type of an ack (see `content-type.ts`). */
export type AckContentType = ReturnType<typeof ackMediaType>

const ackHeaders: Readonly<Record<AckContentType, Readonly<Record<string, string>>>> = {
  'application/json': { 'content-type': 'application/json', ...noStore },
  'application/octet-stream': { 'content-type': 'application/octet-stream', ...noStore },
}
const noContent = httpAnswer(204, noStore, null)

/**
 * Hands one request body to the core as one frame and turns its verdict into
 * an answer: the signed ack (what the core passed to `reply`, synchronously)
 * as a 200 body, the reason's status for a rejection, 204 for an accepted
 * frame the core did not answer.
 */
export function exchangeFrame(
  handler: ServerTransportHandler,
  bytes: Uint8Array,
  remoteAddress: string,
  contentType: AckContentType,
): HttpAnswer {
  // A closure per request: a reply can only ever answer its own request, whatever a
  // handler does with an older request's reply function ([F4]).
  let ack: Uint8Array | undefined
  let verdict
  try {
    verdict = handler.onFrame({ bytes, remoteAddress, reply: (reply) => void (ack ??= reply) })
  } catch {
    // The core never throws by contract; if it did, the client gets a 500, not a hung request.
    return errorAnswer(500, 'internal')
  }
  if (!verdict.accepted) return errorAnswer(httpStatusFor(verdict.reason), verdict.reason)
  if (ack === undefined) return noContent
  // The headers of `ackHeaders` and the length: one array literal per ack, nothing else to copy.
  const headerList = ['content-type', contentType, 'cache-control', 'no-store', 'x-content-type-options', 'nosniff', 'content-length', String(ack.length)]
  return { status: 200, headers: ackHeaders[contentType], headerList, body: ack }
}
