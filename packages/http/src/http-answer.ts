/**
 * The framework-neutral answer to one beat request, shared by the Node and the
 * fetch handlers so both give the same status, headers and body for the same
 * request.
 */
import type { RejectReason, ServerTransportHandler } from '@hb/core'
import type { RequestError } from './status-codes.js'
import { httpStatusFor } from './status-codes.js'

/** Status, headers (lower-case names) and body of a response, before any framework writes it. */
export interface HttpAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** `null` for 204. */
  readonly body: Uint8Array | null
}

const utf8 = new TextEncoder()
const noStore = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }
const errorBodies = new Map<string, Uint8Array>()

/**
 * `{"error":"<code>"}` with the given status. The code is one of a fixed set,
 * never anything from the request, so an error body cannot echo input.
 */
export function errorAnswer(status: number, error: RejectReason | RequestError, headers: Record<string, string> = {}): HttpAnswer {
  let body = errorBodies.get(error)
  if (body === undefined) {
    body = utf8.encode(JSON.stringify({ error }))
    errorBodies.set(error, body)
  }
  return { status, headers: { 'content-type': 'application/json', ...noStore, ...headers }, body }
}

/** 413, with `Connection: close`: the rest of an oversized body is never read, so the connection cannot be reused. */
export function tooLargeAnswer(): HttpAnswer {
  return errorAnswer(413, 'too-large', { connection: 'close' })
}

/** The media type of an ack: binary frames come and go as octet streams, everything else as JSON. */
export function ackContentType(requestContentType: string | null | undefined): string {
  return requestContentType !== null && requestContentType !== undefined && requestContentType.startsWith('application/octet-stream')
    ? 'application/octet-stream'
    : 'application/json'
}

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
  contentType: string,
): HttpAnswer {
  let ack: Uint8Array | undefined
  let verdict
  try {
    verdict = handler.onFrame({ bytes, remoteAddress, reply: (reply) => void (ack ??= reply) })
  } catch {
    // The core never throws by contract; if it did, the client gets a 500, not a hung request.
    return errorAnswer(500, 'internal')
  }
  if (!verdict.accepted) return errorAnswer(httpStatusFor(verdict.reason), verdict.reason)
  if (ack === undefined) return { status: 204, headers: noStore, body: null }
  return { status: 200, headers: { 'content-type': contentType, ...noStore }, body: ack }
}
