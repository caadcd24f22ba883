/**
 * Handles one fetch-API `Request` as one beat, given the core's handler: the
 * same checks, limits and answers as the Node path (`node-request.ts`), for
 * servers built on `Request`/`Response` (Deno, Bun, Hono, workers, Next.js
 * route handlers).
 */
import type { ServerTransportHandler } from '@hb/core'
import type { HttpAnswer } from './http-answer.js'
import { ackContentType, errorAnswer, exchangeFrame, tooLargeAnswer } from './http-answer.js'
import type { ResolvedHandlerOptions } from './handler-options.js'

const methodNotAllowed = errorAnswer(405, 'method-not-allowed', { allow: 'POST' })
const notFound = errorAnswer(404, 'not-found')

/** Converts an answer to a `Response`. */
export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers })
}

/**
 * The body, or `undefined` if it is over `maxBytes`: by `Content-Length`
 * before reading, or counted while reading, in which case the stream is
 * cancelled there.
 */
export async function readRequestBody(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => {})
    return undefined
  }
  if (request.body === null) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
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
    const bytes = await readRequestBody(request, options.maxBodyBytes)
    if (bytes === undefined) {
      handler.onRejected({ reason: 'too-large', remoteAddress, detail: `body over ${options.maxBodyBytes} bytes` })
      return toResponse(tooLargeAnswer())
    }
    return toResponse(exchangeFrame(handler, bytes, remoteAddress, ackContentType(request.headers.get('content-type'))))
  } catch {
    // A body stream that errored (the client went away) or a request the runtime could not parse.
    return toResponse(errorAnswer(500, 'internal'))
  }
}
