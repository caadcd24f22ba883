/**
 * The client side of the WebSocket transport: the one `createWsClient`, which
 * both `@hb/ws` and `@hb/ws/client` export. The connection lifecycle
 * (connect, abort, disconnect, link-down once, close) is the adapter kit's
 * `createClientConnection`; this file maps a standard `WebSocket`'s events to
 * it. Nothing here imports a Node module or `ws` (see `find-websocket.ts`),
 * so a browser bundle contains neither.
 *
 * Like every hb client transport it never reconnects and never times
 * anything: it reports `onLinkDown` once per lost connection and the beater
 * decides the rest (backoff, missed acks).
 */
import { HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import { checkOptionNames, configError, createClientConnection } from '@hb/core/adapter'
import type { ConnectionEvents, FrameEncoding } from '@hb/core/adapter'
import { findWebSocket } from './find-websocket.js'
import { toBytes } from './to-bytes.js'
import { WEBSOCKET_OPEN } from './websocket-like.js'
import type { WebSocketConstructor, WebSocketLike } from './websocket-like.js'

/** Options of {@link createWsClient}. */
export interface WsClientOptions {
  /** The server's URL, e.g. `ws://monitor.internal:8080/hb` or `wss://…`. */
  url: string
  /**
   * The `WebSocket` constructor to use. Default: `globalThis.WebSocket`
   * (browsers, Node 22+), else in Node 20 and 21 `WebSocket` from the `ws`
   * package, which `@hb/ws` depends on.
   */
  WebSocket?: WebSocketConstructor
  /**
   * How frames travel: `binary` messages (compact; the default) or `json` as
   * text messages (readable in a browser's network panel). The server accepts
   * both on the same path and answers in kind.
   */
  encoding?: FrameEncoding
}

/** One WebSocket, from `open` until the lifecycle is told it was released. */
interface Connection {
  readonly socket: WebSocketLike
  readonly events: ConnectionEvents
  /** True once this side ended it: the error events that follow are its own doing, not a failure. */
  ended: boolean
  /** True once `released` was reported (at once for a socket that cannot be terminated). */
  released: boolean
}

const utf8 = new TextDecoder()

const noWebSocketMessage =
  "this runtime has no WebSocket: pass one as the WebSocket option (any standard WebSocket constructor, or WebSocket from 'ws')"

/** Every option's name (the compiler keeps it in step with `WsClientOptions`). */
const CLIENT_OPTIONS = { url: true, WebSocket: true, encoding: true } as const satisfies Record<keyof WsClientOptions, true>

/**
 * Creates the WebSocket client transport (`name: 'ws'`, `kind: 'connection'`,
 * `encoding: 'binary'` unless `json` is asked for) for
 * `createBeater({ transport })`. It uses `options.WebSocket`, else
 * `globalThis.WebSocket`, else (Node 20 and 21) `ws`.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` for a URL that is not `ws://` or
 * `wss://`, an unknown encoding, or a runtime with no `WebSocket` at all.
 */
export function createWsClient(options: WsClientOptions): ClientTransport {
  if (typeof options !== 'object' || options === null) throw configError('createWsClient needs { url }')
  checkOptionNames('createWsClient', options, CLIENT_OPTIONS)
  const { url } = options
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) throw configError(`url must be a ws:// or wss:// URL, got ${String(url)}`)
  const encoding = options.encoding ?? 'binary'
  if (encoding !== 'binary' && encoding !== 'json') throw configError(`encoding must be 'binary' or 'json', got ${String(encoding)}`)
  // Reported once, here, rather than on every reconnection attempt.
  if (findWebSocket(options.WebSocket) === undefined) throw configError(noWebSocketMessage)

  const connection = createClientConnection<Connection>({
    name: 'ws',
    target: url,
    open(events, startOptions) {
      const create = findWebSocket(options.WebSocket)
      if (create === undefined) throw configError(noWebSocketMessage)
      const { maxFrameBytes } = startOptions
      const socket = create(url, maxFrameBytes)
      const c: Connection = { socket, events, ended: false, released: false }
      socket.binaryType = 'arraybuffer'
      socket.addEventListener('open', () => events.onOpen())
      socket.addEventListener('message', (event) => {
        const bytes = toBytes(event.data)
        // Oversize replies are dropped here; the beater would reject them anyway.
        if (bytes !== undefined && bytes.length <= maxFrameBytes) events.onFrame(bytes)
      })
      socket.addEventListener('error', (event) => {
        if (c.ended) return
        const cause = (event as { error?: unknown } | undefined)?.error
        events.onBroken(cause instanceof Error ? cause : new Error(`WebSocket error on ${url}`))
      })
      socket.addEventListener('close', (event) => released(c, new Error(`closed with code ${event.code}`)))
      return c
    },
    write(c, bytes) {
      if (c.socket.readyState !== WEBSOCKET_OPEN) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `ws: not connected to ${url}`))
      try {
        // Browsers offer no write callback: resolving means the WebSocket took the message.
        c.socket.send(encoding === 'json' ? utf8.decode(bytes) : bytes)
        return Promise.resolve()
      } catch (error) {
        return Promise.reject(error as Error)
      }
    },
    destroy(c) {
      if (c.ended) return
      c.ended = true
      const { socket } = c
      try {
        if (socket.terminate !== undefined) {
          socket.terminate()
          return
        }
        socket.close(1000)
      } catch {
        // Already closed.
      }
      // A browser's WebSocket cannot be cut short: its closing handshake (which a
      // dead server never answers) finishes in the background, holding nothing of ours.
      released(c)
    },
  })

  return {
    name: 'ws',
    kind: 'connection',
    encoding,
    connect: connection.connect,
    send: connection.send,
    disconnect: connection.disconnect,
    close: connection.close,
  }
}

function released(c: Connection, error?: Error): void {
  if (c.released) return
  c.released = true
  c.events.onRelease(error)
}
