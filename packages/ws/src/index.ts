/**
 * `@hb/ws`: the WebSocket transport of hb. The server (on the `ws` package)
 * runs standalone or on your `http.Server` at a path, and turns every
 * connection into a core `Link`, so the core can terminate dead and
 * unauthenticated ones. The client uses the standard `WebSocket`; for a
 * browser, import it from `@hb/ws/client` (the same function), an entry that
 * leaves the server and `ws` out.
 */
export { createWsServer } from './ws-server.js'
export type { WsAttachedOptions, WsServerOptions, WsStandaloneOptions } from './ws-server.js'
export { createWsClient } from './ws-client.js'
export type { WsClientOptions } from './ws-client.js'
export type { WebSocketCloseEventLike, WebSocketConstructor, WebSocketLike, WebSocketMessageEventLike } from './websocket-like.js'
