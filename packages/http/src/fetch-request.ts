/**
 * Handles one fetch-API `Request` as one beat, given the core's handler: the
 * same checks, limits and answers as the Node path (`node-request.ts`), for
 * servers built on `Request`/`Response` (Deno, Bun, Hono, workers, Next.js
 * route handlers).
 */
import type { ServerTransportHandler } from '@hb/core/adapter'
import type { HttpAnswer } from './http-answer.js'
import { errorAnswer, exchangeFrame, tooLargeAnswer, unsupportedMediaTypeAnswer } from './http-answer.js'
import { ackMediaType, declaredEncoding } from './content-type.js'
import type { ResolvedHandlerOptions } from './handler-options.js'
import { readLimitedBody } from './read-limited-body.js'

const methodNotAllowed = errorAnswer(405, 'method-not-allowed', { allow: 'POST' })
const notFound = errorAnswer(404, 'not-found')

/** Converts an answer to a `Response`. */
export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers })
}

/** The request body, or `undefined` if it is over `maxBytes` (see `readLimitedBody`). */
export function readRequestBody(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  return readLimitedBody(request, maxBytes)
}

/** Handles one request; never rejects. */
export async function handleFetchRequest(
  handler: ServerTransportHandler,
  request: Request,
  options: ResolvedHandlerOptions,
  remoteAddress: string,
): Promise<Response> {
  try {
    if (options.path !== undefined && new URL(request.url).pathname !== options.path) return toResponse(notFound)
    if (request.method !== 'POST') return toResponse(methodNotAllowed)
    const encoding = declaredEncoding(request.headers.get('content-type'))
    if (encoding === null) return toResponse(unsupportedMediaTypeAnswer(request.body !== null))
    const bytes = await readRequestBody(request, options.maxBodyBytes)
    if (bytes === undefined) {
      handler.onRejected({ reason: 'too-large', remoteAddress, detail: `body over ${options.maxBodyBytes} bytes` })
      return toResponse(tooLargeAnswer())
    }
    return toResponse(exchangeFrame(handler, bytes, remoteAddress, ackMediaType(encoding)))
  } catch {
    // A body stream that errored (the client went away) or a request the runtime could not parse.
    return toResponse(errorAnswer(500, 'internal'))
  }
}
