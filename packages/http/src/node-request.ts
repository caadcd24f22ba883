/**
 * Handles one Node request (`node:http`, Express, Connect) as one beat, given
 * the core's handler: path, method and content-type checks, the bounded body read, the
 * exchange with the core, and the response. Shared by `createHttpHandler` and
 * `createHttpServer`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { formatAddress } from '@hb/core/adapter'
import type { ServerTransportHandler } from '@hb/core/adapter'
import type { HttpAnswer } from './http-answer.js'
import { errorAnswer, exchangeFrame, tooLargeAnswer, unsupportedMediaTypeAnswer } from './http-answer.js'
import type { AckContentType } from './http-answer.js'
import { ackMediaType, declaredEncoding } from './content-type.js'
import { lingerAfterAnswer } from './linger-close.js'
import type { NodeBody } from './node-body.js'
import { readNodeBody } from './node-body.js'
import { rawHeader } from './raw-header.js'

/** Connect/Express `next`: called when a request is not for this handler. */
export type NextFunction = (error?: unknown) => void

/** What the request handling needs to know. */
export interface NodeRequestOptions {
  /** Only this path (query ignored) is served; `undefined` serves every path. */
  readonly path: string | undefined
  /** Largest body read. */
  readonly maxBodyBytes: number
}

const utf8 = new TextEncoder()
const methodNotAllowed = errorAnswer(405, 'method-not-allowed', { allow: 'POST' })
const notFound = errorAnswer(404, 'not-found')
// The same answers for a request whose body is on its way: it is not read, so the connection is
// closed rather than kept alive behind a body Node would have to read and throw away.
const methodNotAllowedClose = errorAnswer(405, 'method-not-allowed', { allow: 'POST', connection: 'close' })
const notFoundClose = errorAnswer(404, 'not-found', { connection: 'close' })

function hasBody(req: IncomingMessage): boolean {
  const length = rawHeader(req, 'content-length')
  return rawHeader(req, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0')
}

/** The path of a request target, without its query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/'
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

/** The client as `host:port` (IPv6 in brackets), as seen by this server: a proxy's address behind a proxy. */
export function remoteAddressOf(req: IncomingMessage): string {
  // Once per connection, not per beat: a keep-alive connection sends many from the same address.
  const socket = req.socket
  let address = remoteAddresses.get(socket)
  if (address === undefined) {
    address = formatAddress(socket.remoteAddress, socket.remotePort)
    // Known only once connected; 'unknown' (a destroyed socket) is not remembered.
    if (socket.remotePort !== undefined) remoteAddresses.set(socket, address)
  }
  return address
}

/** Each connection's `host:port`, formatted once (weakly held: gone with the socket). */
const remoteAddresses = new WeakMap<object, string>()

/** Writes an answer unless a response was already started (or the client is gone). Never throws. */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return
  try {
    // A flat array: writeHead takes it as it is (an object would be walked key by key).
    res.writeHead(answer.status, answer.headerList as string[])
    if (answer.body === null) res.end()
    else res.end(latin1(answer.body), 'latin1')
  } catch {
    res.destroy()
  }
}

/**
 * The bytes as a string of one character per byte, which Node writes back as
 * exactly those bytes (`latin1`). Node sends a string body in one write with
 * the head; a byte body would go out as a second buffer of a `writev`, which
 * costs more per response in Node and in the kernel.
 */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
}

/**
 * Writes a `Connection: close` answer to a request whose body is not read,
 * then closes the connection without a reset (see `linger-close.ts`).
 */
export function refuseAndClose(req: IncomingMessage, res: ServerResponse, answer: HttpAnswer): void {
  lingerAfterAnswer(req, res)
  writeAnswer(res, answer)
}

/** Handles one request; see the file comment. Never throws and never leaves a request unanswered. */
export function handleNodeRequest(
  handler: ServerTransportHandler,
  req: IncomingMessage,
  res: ServerResponse,
  options: NodeRequestOptions,
  next?: NextFunction,
): void {
  try {
    if (options.path !== undefined && pathOf(req.url) !== options.path) {
      if (next !== undefined) return next()
      return hasBody(req) ? refuseAndClose(req, res, notFoundClose) : writeAnswer(res, notFound)
    }
    if (req.method !== 'POST') return hasBody(req) ? refuseAndClose(req, res, methodNotAllowedClose) : writeAnswer(res, methodNotAllowed)
    const encoding = declaredEncoding(rawHeader(req, 'content-type'))
    if (encoding === null) return hasBody(req) ? refuseAndClose(req, res, unsupportedMediaTypeAnswer(true)) : writeAnswer(res, unsupportedMediaTypeAnswer(false))
    const ackType = ackMediaType(encoding)
    readNodeBody(req, options.maxBodyBytes, (body) => answerBody(handler, req, res, options, body, ackType))
  } catch {
    writeAnswer(res, errorAnswer(500, 'internal'))
  }
}

function answerBody(
  handler: ServerTransportHandler,
  req: IncomingMessage,
  res: ServerResponse,
  options: NodeRequestOptions,
  body: NodeBody,
  ackType: AckContentType,
): void {
  try {
    if (body.kind === 'aborted') return
    const remoteAddress = remoteAddressOf(req)
    // express.json() may have parsed the body already: the MAC is over the canonical bytes,
    // not the JSON text, so serialising the parsed object again loses nothing a frame needs.
    const bytes = body.kind === 'bytes' ? body.bytes : body.kind === 'parsed' ? utf8.encode(JSON.stringify(body.value)) : undefined
    if (bytes === undefined || bytes.length > options.maxBodyBytes) {
      handler.onRejected({ reason: 'too-large', remoteAddress, detail: `body over ${options.maxBodyBytes} bytes` })
      return refuseAndClose(req, res, tooLargeAnswer())
    }
    writeAnswer(res, exchangeFrame(handler, bytes, remoteAddress, ackType))
  } catch {
    writeAnswer(res, errorAnswer(500, 'internal'))
  }
}
