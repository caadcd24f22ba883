/**
 * `createWsClient` as `@hb/ws` exports it: the client of `@hb/ws/client`,
 * plus the `ws` package as a fallback for a Node without a global
 * `WebSocket` (Node 20 and 21). `ws` is imported lazily, on the first
 * `connect()` that needs it, so Node 22+ never loads it for the client.
 */
import type { ClientTransport } from '@hb/core'
import { createClientTransport } from './client-transport.js'
import type { WebSocketFactory, WsClientOptions } from './client-transport.js'
import type { WebSocketLike } from './websocket-like.js'

/** `ws`'s `WebSocket`, which also refuses messages over `maxFrameBytes` itself (`maxPayload`). */
async function loadWs(maxFrameBytes: number): Promise<WebSocketFactory> {
  const { WebSocket: NodeWebSocket } = await import('ws')
  return (url) => new NodeWebSocket(url, { maxPayload: maxFrameBytes }) as unknown as WebSocketLike
}

/**
 * Creates the WebSocket client transport (`kind: 'connection'`, `encoding:
 * 'binary'` unless `json` is asked for) for `createBeater({ transport })`.
 * It uses `options.WebSocket`, else `globalThis.WebSocket`, else `ws`.
 * In a browser bundle import it from `@hb/ws/client` instead, which never
 * references `ws`.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` for a URL that is not `ws://` or
 * `wss://`, or an unknown encoding.
 */
export function createWsClient(options: WsClientOptions): ClientTransport {
  return createClientTransport(options, loadWs)
}
