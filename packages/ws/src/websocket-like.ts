/**
 * The part of the WHATWG `WebSocket` interface the client uses, written out
 * so that the browser's `WebSocket`, Node 22's global one and the `ws`
 * package's all fit, with no DOM or Node types needed to compile.
 */

/** `readyState` of an open socket (the same constant in every implementation). */
export const WEBSOCKET_OPEN = 1

/** What a `message` event carries: `ArrayBuffer` (binaryType `arraybuffer`) or `string` for text; other shapes are tolerated. */
export interface WebSocketMessageEventLike {
  readonly data: unknown
}

/** What a `close` event carries. */
export interface WebSocketCloseEventLike {
  readonly code: number
  readonly reason: string
}

/** A client WebSocket as the WHATWG standard defines it (plus `ws`'s optional `terminate()`). */
export interface WebSocketLike {
  /** Set to `arraybuffer` by the client: binary messages arrive as `ArrayBuffer`, synchronously, in order. */
  binaryType: string
  readonly readyState: number
  send(data: string | ArrayBufferView): void
  close(code?: number, reason?: string): void
  /** `ws` only: drops the connection at once, without a closing handshake that a dead peer would never answer. */
  terminate?(): void
  addEventListener(type: 'open', listener: () => void): void
  addEventListener(type: 'message', listener: (event: WebSocketMessageEventLike) => void): void
  addEventListener(type: 'close', listener: (event: WebSocketCloseEventLike) => void): void
  addEventListener(type: 'error', listener: (event: unknown) => void): void
}

/** A `WebSocket` constructor: `globalThis.WebSocket` in browsers and Node 22+, or `WebSocket` from `ws`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike
