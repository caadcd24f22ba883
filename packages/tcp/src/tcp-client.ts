/**
 * The client side of the TCP transport, driven by a beater: one connection at
 * a time, length-prefixed frames both ways. Its connection states are the
 * adapter kit's (`createClientConnection`); this file opens, writes to and
 * destroys a `net.Socket`, and maps the socket's events onto the kit's.
 *
 * The client never reconnects on its own and never times anything: it reports
 * link-down once per lost connection, and the beater decides when to call
 * `connect()` again (backoff lives in core) and when a silent server deserves
 * `disconnect()` (missed acks, counted in core).
 */
import { connect as connectSocket } from 'node:net'
import type { Socket } from 'node:net'
import { HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import { checkHost, checkOptionNames, checkPort, configError, createClientConnection, formatAddress } from '@hb/core/adapter'
import type { ConnectionEvents, TransportStartOptions } from '@hb/core/adapter'
import type { FrameDecoder } from './framing.js'
import { createFrameDecoder, encodeFrame } from './framing.js'
import { checkKeepAliveDelay } from './tcp-options.js'

/** Options of {@link createTcpClient}. */
export interface TcpClientOptions {
  /** The server's host name or address. */
  host: string
  /** The server's port. */
  port: number
  /**
   * Idle time before the OS sends the first TCP keepalive probe: a second line
   * of defence behind the beater's missed-ack count. 0 keeps the OS default. Default 30 000.
   */
  keepAliveInitialDelayMs?: number
  /** Disable Nagle's algorithm so beats leave at once (honest RTT). Default true. */
  noDelay?: boolean
}

/** One connection attempt: its socket and the decoder of its byte stream. */
interface TcpConnection {
  readonly socket: Socket
  readonly decoder: FrameDecoder
}

/** Every option's name (the compiler keeps it in step with `TcpClientOptions`). */
const CLIENT_OPTIONS = { host: true, port: true, keepAliveInitialDelayMs: true, noDelay: true } as const satisfies Record<keyof TcpClientOptions, true>

/**
 * Creates the TCP client transport (`kind: 'connection'`, `encoding: 'binary'`)
 * for `createBeater({ transport })`. Validates its options now (`HB_ERR_CONFIG`).
 */
export function createTcpClient(options: TcpClientOptions): ClientTransport {
  if (typeof options !== 'object' || options === null) throw configError('createTcpClient needs { host, port }')
  checkOptionNames('createTcpClient', options, CLIENT_OPTIONS)
  const host = checkHost(options.host)
  const port = checkPort(options.port, { allowZero: false })
  const keepAliveDelay = checkKeepAliveDelay(options.keepAliveInitialDelayMs)
  const noDelay = options.noDelay ?? true
  const target = formatAddress(host, port)

  function open(events: ConnectionEvents, startOptions: TransportStartOptions): TcpConnection {
    const socket = connectSocket({ host, port })
    const decoder = createFrameDecoder({ maxFrameBytes: startOptions.maxFrameBytes, onFrame: events.onFrame })
    let lastError: Error | undefined
    socket.once('connect', () => {
      socket.setNoDelay(noDelay)
      socket.setKeepAlive(true, keepAliveDelay)
      events.onOpen()
    })
    socket.on('data', (chunk: Buffer) => {
      const failure = decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      if (failure === undefined) return
      const code = failure.reason === 'too-large' ? 'HB_ERR_FRAME_TOO_LARGE' : 'HB_ERR_MALFORMED'
      events.onBroken(new HeartbeatError(code, `tcp: ${target} broke the framing: ${failure.detail}`))
    })
    // The server said it is done: nothing useful can come back on this socket.
    socket.on('end', () => events.onBroken(new HeartbeatError('HB_ERR_TRANSPORT', `tcp: ${target} closed the connection`)))
    // Kept for 'close', which always follows and carries it as the cause.
    socket.on('error', (error) => {
      lastError = error
    })
    socket.once('close', () => {
      decoder.close()
      events.onRelease(lastError)
    })
    return { socket, decoder }
  }

  function write({ socket }: TcpConnection, bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // encodeFrame throws HB_ERR_FRAME_TOO_LARGE past 4 GiB; the promise rejects with it.
      socket.write(encodeFrame(bytes), (error) => {
        if (error === undefined || error === null) resolve()
        else reject(error)
      })
    })
  }

  function destroy({ socket, decoder }: TcpConnection): void {
    // No frame may follow link-down, even from the rest of the chunk being decoded.
    decoder.close()
    socket.destroy()
  }

  const connection = createClientConnection({ name: 'tcp', target, open, write, destroy })
  return {
    name: 'tcp',
    kind: 'connection',
    encoding: 'binary',
    connect: (handler, startOptions) => connection.connect(handler, startOptions),
    send: (bytes) => connection.send(bytes),
    disconnect: () => connection.disconnect(),
    close: () => connection.close(),
  }
}
