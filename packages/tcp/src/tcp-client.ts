/**
 * The client side of the TCP transport, driven by a beater: one connection at
 * a time, length-prefixed frames both ways.
 *
 * The client never reconnects on its own and never times anything: it reports
 * `onLinkDown` once per lost connection, and the beater decides when to call
 * `connect()` again (backoff lives in core) and when a silent server deserves
 * `disconnect()` (missed acks, counted in core).
 */
import { connect as connectSocket } from 'node:net'
import type { Socket } from 'node:net'
import { HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import type { ClientTransportHandler } from '@hb/core/adapter'
import type { FrameDecoder } from './framing.js'
import { createFrameDecoder, encodeFrame } from './framing.js'
import { formatAddress } from '@hb/core/adapter'
import { checkKeepAliveDelay, checkPort } from './tcp-options.js'

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

/** One socket, from `connect()` until it closes. */
interface Connection {
  readonly socket: Socket
  readonly decoder: FrameDecoder
  /** The beater's handler this connection reports to. */
  readonly handler: ClientTransportHandler
  /** True from 'connect' until link-down was reported (or the client closed). */
  up: boolean
  /** Resolves on the socket's 'close', once the OS has let go of it. */
  readonly released: Promise<void>
}

/**
 * Creates the TCP client transport (`kind: 'connection'`, `encoding: 'binary'`)
 * for `createBeater({ transport })`. Validates its options now (`HB_ERR_CONFIG`).
 */
export function createTcpClient(options: TcpClientOptions): ClientTransport {
  const { host } = options
  if (typeof host !== 'string' || host === '') throw new HeartbeatError('HB_ERR_CONFIG', 'host must be a non-empty string')
  const port = checkPort(options.port, 1)
  const keepAliveDelay = checkKeepAliveDelay(options.keepAliveInitialDelayMs)
  const noDelay = options.noDelay ?? true
  const target = formatAddress(host, port)

  let closed = false
  let closing: Promise<void> | undefined
  let current: Connection | undefined
  /** The connection a pending `connect()` is opening, so `disconnect()` can abort it. */
  let pending: Connection | undefined
  /** Every socket not yet released, pending or connected, so `close()` can wait for all. */
  const live = new Set<Connection>()

  const closedError = (): HeartbeatError => new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `tcp: not connected to ${target}`)

  /** Ends a connection; reports link-down once unless the client itself is closing. */
  function drop(connection: Connection, error: Error): void {
    if (!connection.up) return
    connection.up = false
    connection.decoder.close()
    connection.socket.destroy()
    if (current === connection) current = undefined
    if (!closed) connection.handler.onLinkDown(error)
  }

  function open(handler: ClientTransportHandler, maxFrameBytes: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = connectSocket({ host, port })
      let lastError: Error | undefined
      const connection: Connection = {
        socket,
        handler,
        up: false,
        released: new Promise<void>((release) => socket.once('close', () => release())),
        decoder: createFrameDecoder({ maxFrameBytes, onFrame: (bytes) => handler.onFrame(bytes) }),
      }
      live.add(connection)
      pending = connection
      void connection.released.then(() => {
        live.delete(connection)
        if (pending === connection) pending = undefined
      })

      socket.once('connect', () => {
        if (pending === connection) pending = undefined
        if (closed) return
        socket.setNoDelay(noDelay)
        socket.setKeepAlive(true, keepAliveDelay)
        connection.up = true
        current = connection
        resolve()
      })
      socket.on('data', (chunk: Buffer) => {
        if (!connection.up) return
        const failure = connection.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if (failure === undefined) return
        const code = failure.reason === 'too-large' ? 'HB_ERR_FRAME_TOO_LARGE' : 'HB_ERR_MALFORMED'
        drop(connection, new HeartbeatError(code, `tcp: ${target} broke the framing: ${failure.detail}`))
      })
      // The server said it is done: nothing useful can come back on this socket.
      socket.on('end', () => drop(connection, new HeartbeatError('HB_ERR_TRANSPORT', `tcp: ${target} closed the connection`)))
      socket.on('error', (error) => {
        lastError = error
      })
      socket.once('close', () => {
        // Before 'connect': the attempt failed (or close() cut it short). A
        // settled promise ignores this.
        if (closed) reject(closedError())
        else reject(new HeartbeatError('HB_ERR_TRANSPORT', `tcp: cannot connect to ${target}`, { cause: lastError }))
        drop(connection, new HeartbeatError('HB_ERR_TRANSPORT', `tcp: connection to ${target} lost`, { cause: lastError }))
      })
    })
  }

  return {
    name: 'tcp',
    kind: 'connection',
    encoding: 'binary',
    connect(handler, startOptions) {
      if (closed) return Promise.reject(closedError())
      // The beater connects again only after link-down; a stray second call
      // replaces the current connection without reporting it.
      if (current !== undefined) {
        current.up = false
        current.decoder.close()
        current.socket.destroy()
        current = undefined
      }
      return open(handler, startOptions.maxFrameBytes)
    },
    send(bytes) {
      const connection = current
      if (closed || connection === undefined || !connection.up) return Promise.reject(closedError())
      return new Promise<void>((resolve, reject) => {
        let framed: Uint8Array
        try {
          framed = encodeFrame(bytes)
        } catch (error) {
          reject(error)
          return
        }
        connection.socket.write(framed, (error) => {
          if (error === undefined || error === null) resolve()
          else reject(new HeartbeatError('HB_ERR_TRANSPORT', `tcp: write to ${target} failed`, { cause: error }))
        })
      })
    },
    disconnect() {
      const connection = current
      if (connection === undefined) {
        // A connect that is taking too long (the beater's connect deadline): abort
        // it; its 'close' rejects the pending connect().
        pending?.socket.destroy()
        return
      }
      // Reported now, not on 'close': the beater expects the link gone when this returns.
      drop(connection, new HeartbeatError('HB_ERR_TRANSPORT', `tcp: disconnected from ${target} (the server stopped answering)`))
    },
    close() {
      closing ??= (async () => {
        closed = true
        current = undefined
        for (const connection of live) {
          connection.up = false
          connection.decoder.close()
          connection.socket.destroy()
        }
        await Promise.all([...live].map((c) => c.released))
      })()
      return closing
    },
  }
}
