/**
 * `@hb/ws/client`: the WebSocket client transport alone, for browsers and
 * any runtime with a standard `WebSocket` (Node 22+, Deno, Bun). It imports
 * neither the server nor the `ws` package nor any Node module, so bundling it
 * for a browser needs no shims. Pair it with `createBeater` from `@hb/core`,
 * which signs with WebCrypto where node:crypto is missing.
 */
import type { ClientTransport } from '@hb/core'
import { createClientTransport } from './client-transport.js'
import type { WsClientOptions } from './client-transport.js'

export type { WsClientOptions } from './client-transport.js'
export type { WebSocketCloseEventLike, WebSocketConstructor, WebSocketLike, WebSocketMessageEventLike } from './websocket-like.js'

/**
 * Creates the WebSocket client transport (`kind: 'connection'`, `encoding:
 * 'binary'` unless `json` is asked for) for `createBeater({ transport })`.
 * It uses `options.WebSocket`, else `globalThis.WebSocket`.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` for a URL that is not `ws://` or
 * `wss://`, an unknown encoding, or a runtime with no `WebSocket` at all (in
 * Node 20 and 21, pass `WebSocket` from `ws`, or import `createWsClient`
 * from `@hb/ws`, which loads it for you).
 */
export function createWsClient(options: WsClientOptions): ClientTransport {
  return createClientTransport(options, undefined)
}
