/**
 * Reads the body of a Node request with a hard size limit, for the hb and the
 * codeskyblue handlers. Memory per request is bounded by the limit plus one
 * chunk, whatever the client sends or claims.
 */
import type { IncomingMessage } from 'node:http'
import { rawHeader } from './raw-header.js'

/** What reading a body gave. */
export type NodeBody =
  /** The raw body bytes. */
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** Middleware before us (Express `express.json()` / `express.urlencoded()`) already parsed the body into `req.body`. */
  | { readonly kind: 'parsed'; readonly value: unknown }
  /** Over the limit: by `Content-Length`, or counted while reading. The rest is not read. */
  | { readonly kind: 'too-large' }
  /** The client went away before the body was complete. Nothing can be answered. */
  | { readonly kind: 'aborted' }

const empty = new Uint8Array(0)
const TOO_LARGE: NodeBody = { kind: 'too-large' }
const ABORTED: NodeBody = { kind: 'aborted' }

/**
 * Calls `done` exactly once with the body of `req`. A callback rather than a
 * promise: this is the per-beat hot path of the HTTP transport.
 *
 * - `Content-Length` over `maxBytes` is refused before a byte is read;
 * - otherwise reading stops at the first byte past `maxBytes`;
 * - with a `Content-Length`, the body is complete at its last byte, without waiting for `'end'`;
 * - a body already consumed by a body parser is taken from `req.body`
 *   (a Buffer or string as bytes, anything else as `parsed`).
 */
export function readNodeBody(req: IncomingMessage, maxBytes: number, done: (body: NodeBody) => void): void {
  const declared = rawHeader(req, 'content-length')
  // NaN without a Content-Length (chunked): then only 'end' completes the body.
  const length = declared === undefined ? NaN : Number(declared)
  if (length > maxBytes) return done(TOO_LARGE)
  if (req.readableEnded) return done(consumedBody(req, maxBytes))

  const chunks: Buffer[] = []
  let total = 0
  let finished = false
  const finish = (body: NodeBody): void => {
    if (finished) return
    finished = true
    req.off('data', onData)
    req.off('end', onEnd)
    req.off('close', onClose)
    done(body)
  }
  const onData = (chunk: Buffer): void => {
    total += chunk.length
    if (total > maxBytes) {
      // Stop consuming: the caller answers 413 and closes the connection.
      req.pause()
      return finish(TOO_LARGE)
    }
    chunks.push(chunk)
    // All the bytes Content-Length announced: the body is complete (Node's parser reads no more
    // into this request), so answer now rather than a tick later at 'end'.
    if (total === length) onEnd()
  }
  const onEnd = (): void => finish({ kind: 'bytes', bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) })
  const onClose = (): void => finish(ABORTED)
  req.on('data', onData)
  req.on('end', onEnd)
  // No 'error' listener: an IncomingMessage emits 'error' only to listeners it has, and an
  // aborted request is closed either way ('close'), one listener fewer to add and remove per beat.
  req.on('close', onClose)
}

function consumedBody(req: IncomingMessage, maxBytes: number): NodeBody {
  const body: unknown = (req as { body?: unknown }).body
  let bytes: Uint8Array
  if (body instanceof Uint8Array) bytes = body
  else if (typeof body === 'string') bytes = Buffer.from(body, 'utf8')
  else if (body !== undefined && body !== null) return { kind: 'parsed', value: body }
  else bytes = empty
  return bytes.length > maxBytes ? TOO_LARGE : { kind: 'bytes', bytes }
}
