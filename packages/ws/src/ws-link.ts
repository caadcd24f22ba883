/**
 * One accepted WebSocket connection as a core `Link`: its messages go to the
 * core as frames (binary messages as binary frames, text messages as the
 * UTF-8 bytes of JSON frames), the core's replies go back in the kind of
 * message they answer, and its end is reported exactly once, however it ends.
 */
import type { Link, ServerTransportHandler } from '@hb/core/adapter'
import { ownCopyWhenQueued } from '@hb/core/adapter'
import type { WebSocket } from 'ws'
import { toBytes } from './to-bytes.js'

/** First byte of a JSON frame (`{`): such a frame travels as a text message. */
const OPEN_BRACE = 0x7b

/**
 * Unsent pongs `ws` (8.23+) allows on one connection: a ping arriving while
 * this many wait is answered by terminating the connection. Its own default,
 * restated in the server's options so the limit is ours.
 */
export const MAX_PENDING_PONGS = 60

const PING_FLOOD_DETAIL = `ping flood: a ping arrived with ${MAX_PENDING_PONGS} pongs still unsent (connection terminated)`

/** What a link needs from its server. */
export interface WsLinkContext {
  readonly handler: ServerTransportHandler
  /** The peer's `host:port`, taken from the HTTP request before the upgrade. */
  readonly remoteAddress: string
  /** Replies are dropped while this many bytes already wait unsent on the connection. */
  readonly maxBufferedBytes: number
  /** Called once when the link is down, so the server stops tracking it. */
  readonly onDown: (link: WsLink) => void
  /** The upgraded TCP socket under the WebSocket, corked to batch replies. */
  readonly socket?: { cork(): void; uncork(): void }
}

/** A `Link` over one server-side `ws` WebSocket. */
export interface WsLink extends Link {
  /** False once link-down was reported. */
  readonly up: boolean
  /** Resolves once the underlying socket is closed (after `close()`: at once). */
  readonly released: Promise<void>
}

/**
 * Wraps an accepted WebSocket and reports it with `onLinkUp`. Every event
 * handler here is total: protocol errors become rejections, never exceptions.
 */
export function createWsLink(ws: WebSocket, id: number, context: WsLinkContext): WsLink {
  const { handler, remoteAddress, maxBufferedBytes, socket } = context
  let up = true
  let corked = false
  /** True once `ws` terminated this connection for a ping flood (reported once). */
  let flooded = false

  // The acks to every message of one read leave in one writev: the socket is
  // corked at the first reply and uncorked once the read's messages are handled
  // (a microtask runs right after the socket's 'data' callback returns).
  const uncork = (): void => {
    corked = false
    socket?.uncork()
  }

  function send(bytes: Uint8Array): void {
    if (!up || ws.readyState !== ws.OPEN) return
    // A peer that does not read (or a half-open connection) must not make the
    // server buffer without bound: past the budget, replies are dropped and
    // the peer's beater eventually reports a lost server and reconnects.
    if (ws.bufferedAmount > maxBufferedBytes) return
    if (socket !== undefined && !corked) {
      corked = true
      socket.cork()
      queueMicrotask(uncork)
    }
    try {
      // A JSON frame answers a text message; a binary one a binary message.
      // Queued behind unsent bytes, the frame gets its own array (a slab view would pin the slab).
      ws.send(ownCopyWhenQueued(bytes, ws.bufferedAmount), { binary: bytes[0] !== OPEN_BRACE })
    } catch {
      // Only thrown for a socket that is not open; the close is reported separately.
    }
  }

  function down(): void {
    if (!up) return
    up = false
    context.onDown(link)
    handler.onLinkDown(link)
  }

  const link: WsLink = {
    id,
    remoteAddress,
    get up() {
      return up
    },
    released: new Promise<void>((resolve) => ws.once('close', () => resolve())),
    send,
    close() {
      // terminate(), not close(): a dead peer would never answer a closing handshake.
      down()
      ws.terminate()
    },
    ping() {
      if (!up) return
      // The pong proves nothing (a proxy can answer it); the write makes a
      // half-open connection fail sooner, which then reports link-down.
      try {
        ws.ping()
      } catch {
        // Not open any more: its close is reported separately.
      }
    },
  }

  ws.on('message', (data) => {
    if (!up) return
    const bytes = toBytes(data)
    if (bytes !== undefined) handler.onFrame({ bytes, remoteAddress, link, reply: send })
  })
  ws.on('error', (error: Error & { code?: string }) => {
    // ws has already started closing the connection (1009 for an oversize
    // message, 1002/1007 for a protocol violation); tell the core why.
    if (!up) return
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      handler.onRejected({ reason: 'too-large', remoteAddress, detail: 'message over maxFrameBytes (closed with 1009)' })
    } else if (error.code?.startsWith('WS_ERR_') === true) {
      handler.onRejected({ reason: 'malformed', remoteAddress, detail: `WebSocket protocol error ${error.code}` })
    }
  })
  ws.on('ping', () => {
    // ws answers pings itself and terminates a connection whose unsent pongs
    // pile up past its limit (maxPendingAutoPongs); it does so right before
    // emitting this ping, so an open link whose socket is no longer open here
    // was ended by that rule. Nothing else closes it while pings still arrive:
    // a close frame or a protocol error stops ws reading, and link.close()
    // marks the link down first.
    if (!up || flooded || ws.readyState === ws.OPEN) return
    flooded = true
    handler.onRejected({ reason: 'flood', remoteAddress, detail: PING_FLOOD_DETAIL })
  })
  ws.on('close', down)

  handler.onLinkUp(link)
  return link
}
