/**
 * Answers of the admin API: JSON bodies, and errors as `{ "error": code,
 * "message": text }` with no stack trace and nothing from the server's insides.
 */
import type { ServerResponse } from 'node:http'

/** Sends `body` as JSON with `status`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  response.end(text)
}

/** Sends an error: a stable lower-case `code` and a sentence for people. */
export function sendError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  sendJson(response, status, { error: code, message }, headers)
}
