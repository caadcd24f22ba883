/**
 * `createHttpHandler`: hb beats as a Node request handler, to mount in a
 * `node:http` server, Express or any Connect-style stack.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AttachableMonitor, HttpHandlerOptions } from './handler-options.js'
import { resolveHandlerOptions } from './handler-options.js'
import type { NextFunction } from './node-request.js'
import { handleNodeRequest } from './node-request.js'

/** A Node request handler; `next` is optional, so it is also a plain `node:http` listener. */
export type NodeHttpHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void

/**
 * A Node `(req, res, next?)` handler that takes one JSON (or binary) hb frame
 * per `POST` body and answers with the signed ack (200) or an error status
 * (see the README's table). Peers show up with `transport: 'http'`.
 *
 * ```ts
 * const monitor = createMonitor({ secret })
 * http.createServer(createHttpHandler(monitor, { path: '/hb' })).listen(8080)
 * // Express: app.post('/hb', createHttpHandler(monitor))
 * ```
 *
 * Works after `express.json()` / `express.raw()` too (it takes the parsed body).
 * Create it once, at startup: each call attaches one more transport to the monitor (at most 255).
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createHttpHandler(monitor: AttachableMonitor, options?: HttpHandlerOptions): NodeHttpHandler {
  const resolved = resolveHandlerOptions(options)
  const handler = monitor.attach({ name: 'http', kind: 'request' })
  return (req, res, next) => handleNodeRequest(handler, req, res, resolved, next)
}
