/**
 * The client side of the WebSocket transport, driven by a beater, shared by
 * both entries: `@hb/ws/client` (browsers, and any runtime with a standard
 * `WebSocket`) and `@hb/ws` (which adds the `ws` package as a fallback for
 * Node 20 and 21). Nothing here imports a Node module or `ws`, so a browser
 * bundle of `@hb/ws/client` contains neither; the entry that wants `ws`
 * passes a loader for it.
 *
 * Like every hb client transport it never reconnects and never times
 * anything: it reports `onLinkDown` once per lost connection and the beater
 * decides the rest (backoff, missed acks).
 */
import { HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import type { ClientTransportHandler, FrameEncoding } from '@hb/core/adapter'
import { toBytes } from './to-bytes.js'
import { WEBSOCKET_OPEN } from './websocket-like.js'
import type { WebSocketConstructor, WebSocketLike } from './websocket-like.js'

/** Options of `createWsClient` (both entries). */
export interface WsClientOptions {
  /** The server's URL, e.g. `ws://monitor.internal:8080/hb` or `wss://…`. */
  url: string
  /**
   * The `WebSocket` constructor to use. Default: `globalThis.WebSocket`
   * (browsers, Node 22+); from `@hb/ws` only, in a Node without one,
   * `WebSocket` from the `ws` package, loaded on the first `connect()`.
   */
  WebSocket?: WebSocketConstructor
  /**
   * How frames travel: `binary` messages (compact; the default) or `json` as
   * text messages (readable in a browser's network panel). The server accepts
   * both on the same path and answers in kind.
   */
  encoding?: FrameEncoding
}

/** Opens a socket to a URL. */
export type WebSocketFactory = (url: string) => WebSocketLike

/**
 * Supplies a socket factory where neither an injected nor a global
 * `WebSocket` exists; called on `connect()`, so what it loads is loaded only
 * when needed. `maxFrameBytes` is for implementations that can refuse
 * larger messages themselves (`ws`'s `maxPayload`).
 */
export type WebSocketFallback = (maxFrameBytes: number) => Promise<WebSocketFactory>

/** One WebSocket, from `connect()` until it closes. */
interface Connection {
  readonly socket: WebSocketLike
  readonly handler: ClientTransportHandler
  /** True from `open` until link-down was reported (or the client closed). */
  up: boolean
  /** Resolves on the socket's `close` event. */
  readonly released: Promise<void>
}

const utf8 = new TextDecoder()

const noWebSocketMessage =
  "this runtime has no global WebSocket: pass one as the WebSocket option (in Node 20 and 21, WebSocket from 'ws'), or use createWsClient from '@hb/ws', which loads ws itself"

function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
}

/** The injected constructor, else the global one (looked up now: a polyfill may come late), else the fallback. */
async function socketFactory(
  injected: WebSocketConstructor | undefined,
  fallback: WebSocketFallback | undefined,
  maxFrameBytes: number,
): Promise<WebSocketFactory> {
  const Constructor = injected ?? globalWebSocket()
  if (Constructor !== undefined) return (url) => new Constructor(url)
  if (fallback !== undefined) return fallback(maxFrameBytes)
  throw new HeartbeatError('HB_ERR_CONFIG', noWebSocketMessage)
}

/**
 * Creates the WebSocket client transport (`kind: 'connection'`, `encoding:
 * 'binary'` unless `json` is asked for). Without a `fallback`, a runtime
 * that has no `WebSocket` (global or injected) is a configuration error,
 * reported here rather than on every reconnection attempt.
 */
export function createClientTransport(options: WsClientOptions, fallback: WebSocketFallback | undefined): ClientTransport {
  const { url } = options
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) {
    throw new HeartbeatError('HB_ERR_CONFIG', `url must be a ws:// or wss:// URL, got ${String(url)}`)
  }
  const encoding = options.encoding ?? 'binary'
  if (encoding !== 'binary' && encoding !== 'json') throw new HeartbeatError('HB_ERR_CONFIG', `encoding must be 'binary' or 'json'`)
  if (options.WebSocket === undefined && globalWebSocket() === undefined && fallback === undefined) {
    throw new HeartbeatError('HB_ERR_CONFIG', noWebSocketMessage)
  }

  let closed = false
  let closing: Promise<void> | undefined
  let current: Connection | undefined
  /** The connection a pending `connect()` is opening, so `disconnect()` can abort it. */
  let pending: Connection | undefined
  const live = new Set<Connection>()

  const closedError = (): HeartbeatError => new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `ws: not connected to ${url}`)

  /** Lets go of a socket: at once where the implementation allows (`ws`), else by the closing handshake. */
  function release(connection: Connection): void {
    connection.up = false
    try {
      if (connection.socket.terminate !== undefined) connection.socket.terminate()
      else connection.socket.close(1000)
    } catch {
      // Already closed.
    }
  }

  /** Ends a connection; reports link-down once unless the client itself is closing. */
  function drop(connection: Connection, error: Error): void {
    if (!connection.up) return
    release(connection)
    if (current === connection) current = undefined
    if (!closed) connection.handler.onLinkDown(error)
  }

  function open(socket: WebSocketLike, handler: ClientTransportHandler, maxFrameBytes: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let resolveReleased: () => void = () => undefined
      const connection: Connection = {
        socket,
        handler,
        up: false,
        released: new Promise<void>((done) => (resolveReleased = done)),
      }
      live.add(connection)
      pending = connection
      socket.binaryType = 'arraybuffer'

      socket.addEventListener('open', () => {
        if (pending === connection) pending = undefined
        if (closed) return
        connection.up = true
        current = connection
        resolve()
      })
      socket.addEventListener('message', (event) => {
        if (!connection.up) return
        const bytes = toBytes(event.data)
        // Oversize replies are dropped here; the beater would reject them anyway.
        if (bytes !== undefined && bytes.length <= maxFrameBytes) handler.onFrame(bytes)
      })
      socket.addEventListener('error', (event) => {
        const cause = (event as { error?: unknown } | undefined)?.error ?? event
        if (closed) reject(closedError())
        else reject(new HeartbeatError('HB_ERR_TRANSPORT', `ws: cannot connect to ${url}`, { cause }))
        drop(connection, new HeartbeatError('HB_ERR_TRANSPORT', `ws: connection to ${url} failed`, { cause }))
      })
      socket.addEventListener('close', (event) => {
        live.delete(connection)
        if (pending === connection) pending = undefined
        resolveReleased()
        if (closed) reject(closedError())
        else reject(new HeartbeatError('HB_ERR_TRANSPORT', `ws: cannot connect to ${url} (close code ${event.code})`))
        drop(connection, new HeartbeatError('HB_ERR_TRANSPORT', `ws: connection to ${url} closed (code ${event.code})`))
      })
    })
  }

  return {
    name: 'ws',
    kind: 'connection',
    encoding,
    async connect(handler, startOptions) {
      if (closed) throw closedError()
      // The beater connects again only after link-down; a stray second call
      // replaces the current connection without reporting it.
      if (current !== undefined) {
        release(current)
        current = undefined
      }
      const create = await socketFactory(options.WebSocket, fallback, startOptions.maxFrameBytes)
      if (closed) throw closedError()
      let socket: WebSocketLike
      try {
        socket = create(url)
      } catch (error) {
        throw new HeartbeatError('HB_ERR_TRANSPORT', `ws: cannot connect to ${url}`, { cause: error })
      }
      return open(socket, handler, startOptions.maxFrameBytes)
    },
    async send(bytes) {
      const connection = current
      if (closed || connection === undefined || !connection.up || connection.socket.readyState !== WEBSOCKET_OPEN) {
        throw closedError()
      }
      try {
        // Browsers offer no write callback: resolving means the WebSocket took the message.
        connection.socket.send(encoding === 'json' ? utf8.decode(bytes) : bytes)
      } catch (error) {
        throw new HeartbeatError('HB_ERR_TRANSPORT', `ws: send to ${url} failed`, { cause: error })
      }
    },
    disconnect() {
      const connection = current
      if (connection === undefined) {
        // A connect that is taking too long (the beater's connect deadline): abort
        // it; its 'close' rejects the pending connect().
        if (pending !== undefined) release(pending)
        return
      }
      // Reported now: the beater expects the link gone when this returns.
      drop(connection, new HeartbeatError('HB_ERR_TRANSPORT', `ws: disconnected from ${url} (the server stopped answering)`))
    },
    close() {
      closing ??= (async () => {
        closed = true
        current = undefined
        const sockets = [...live]
        for (const connection of sockets) release(connection)
        // Only a terminated socket is sure to close promptly; a closing
        // handshake with a dead server is left to finish in the background.
        await Promise.all(sockets.filter((c) => c.socket.terminate !== undefined).map((c) => c.released))
      })()
      return closing
    },
  }
}
