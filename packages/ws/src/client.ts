/**
 * `@hb/ws/client`: the WebSocket client transport alone, for browsers and
 * any runtime with a standard `WebSocket` (Node 22+, Deno, Bun). It is the
 * same `createWsClient` as `@hb/ws`'s, from an entry that imports neither
 * the server nor the `ws` package nor any Node module, so bundling it for a
 * browser needs no shims. Pair it with `createBeater` from `@hb/core`, which
 * signs with WebCrypto where node:crypto is missing.
 */
export { createWsClient } from './ws-client.js'
export type { WsClientOptions } from './ws-client.js'
export type { WebSocketCloseEventLike, WebSocketConstructor, WebSocketLike, WebSocketMessageEventLike } from './websocket-like.js'
