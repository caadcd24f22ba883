/**
 * `@hb/http`: the HTTP transport of hb. Request handlers for `node:http`,
 * Express/Connect and fetch-style servers, a standalone server transport, a
 * fetch-based client for beaters, and an endpoint for Go
 * codeskyblue/heartbeat clients. One frame per `POST`; the response is the
 * signed ack; every timer and decision stays in `@hb/core`.
 */
export { createHttpHandler } from './http-handler.js'
export type { NodeHttpHandler } from './http-handler.js'
export { createFetchHandler } from './fetch-handler.js'
export type { FetchHandler, FetchHandlerOptions } from './fetch-handler.js'
export type { AttachableMonitor, HttpHandlerOptions } from './handler-options.js'
export type { NextFunction } from './node-request.js'
export { createHttpServer } from './http-server.js'
export type { HttpServerOptions, HttpServerTransport } from './http-server.js'
export { createHttpClient } from './http-client.js'
export type { HttpClientOptions, HttpClientTransport } from './http-client.js'
export { createCodeskyblueHandler } from './codeskyblue/codeskyblue-handler.js'
export type { CodeskyblueHandler, CodeskyblueHandlerOptions, CodeskyblueMonitor } from './codeskyblue/codeskyblue-handler.js'
export { httpStatusFor } from './status-codes.js'
