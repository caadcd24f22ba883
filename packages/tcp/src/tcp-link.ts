/**
 * One accepted TCP connection as a core `Link`: decodes its byte stream into
 * frames for the core, writes the core's replies length-prefixed, and reports
 * its end exactly once, however it ends (peer close, error, framing failure,
 * `link.close()` from the core, or the server closing).
 */
import type { Socket } from 'node:net'
import type { Link, ServerTransportHandler } from '@hb/core/adapter'
import { createFrameDecoder, encodeFrame } from './framing.js'
import { formatAddress, ownCopyWhenQueued } from '@hb/core/adapter'

/** What a link needs from its server. */
export interface TcpLinkContext {
  readonly handler: ServerTransportHandler
  readonly maxFrameBytes: number
  /** Replies are dropped while this many bytes already wait in the socket's write buffer. */
  readonly maxBufferedBytes: number
  /** Called once when the link is down, so the server stops tracking it. */
  readonly onDown: (link: TcpLink) => void
}

/** A `Link` over one `net.Socket`. */
export interface TcpLink extends Link {
  /** False once link-down was reported. */
  readonly up: boolean
}

/**
 * Wraps an accepted socket, reports it with `onLinkUp` and starts reading.
 * Every socket event handler here is total: bad input becomes a rejection
 * and a closed link, never an exception.
 */
export function createTcpLink(socket: Socket, id: number, context: TcpLinkContext): TcpLink {
  const { handler, maxBufferedBytes } = context
  const remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort)
  let up = true

  const decoder = createFrameDecoder({
    maxFrameBytes: context.maxFrameBytes,
    onFrame(bytes) {
      handler.onFrame({ bytes, remoteAddress, link, reply: send })
    },
  })

  function send(bytes: Uint8Array): void {
    if (!up || socket.destroyed) return
    // A peer that does not read its acks (or a half-open connection) must not
    // make the server buffer without bound: past the budget, replies are
    // dropped. The peer's beater then reports a lost server and reconnects.
    if (socket.writableLength > maxBufferedBytes) return
    let framed: Uint8Array
    try {
      framed = encodeFrame(bytes)
    } catch {
      return
    }
    // A failed write surfaces as the socket's 'error' then 'close': link-down.
    // Queued behind unsent bytes, the frame gets its own array (a slab view would pin the slab).
    socket.write(ownCopyWhenQueued(framed, socket.writableLength))
  }

  /** Reports link-down once and lets go of the socket. */
  function down(): void {
    if (!up) return
    up = false
    decoder.close()
    socket.destroy()
    context.onDown(link)
    handler.onLinkDown(link)
  }

  const link: TcpLink = {
    id,
    remoteAddress,
    get up() {
      return up
    },
    send,
    close: down,
  }

  socket.on('data', (chunk: Buffer) => {
    if (!up) return
    // A plain Uint8Array view: a Buffer's slice() would not copy, and the core
    // copies what it keeps with slice().
    // Corked while one read is decoded: the acks to all the frames it held
    // leave in one writev instead of one syscall each.
    socket.cork()
    const failure = decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    socket.uncork()
    if (failure === undefined) return
    handler.onRejected({ reason: failure.reason, remoteAddress, detail: failure.detail })
    down()
  })
  // The peer has nothing more to say, and hb never talks to a peer that does
  // not talk: close at once instead of flushing replies into a half-closed socket.
  socket.on('end', down)
  // The error itself is not needed: 'close' follows and reports the link down.
  socket.on('error', () => undefined)
  socket.on('close', down)

  handler.onLinkUp(link)
  return link
}
