/**
 * The UDP server transport: one `node:dgram` socket, one hb frame per
 * datagram. It hands every datagram to the core with a `reply` that answers
 * the sender's source address (so acks find a peer behind NAT), refuses
 * datagrams over `maxFrameBytes`, and survives every socket error.
 */
import { createSocket } from 'node:dgram'
import type { RemoteInfo, Socket } from 'node:dgram'
import { formatAddress } from '@hb/core/adapter'
import { HeartbeatError } from '@hb/core'
import type { ServerTransport } from '@hb/core'
import type { ServerTransportHandler, TransportAddress } from '@hb/core/adapter'
import type { UdpSocketOptions, UdpSocketType } from './udp-options.js'
import { checkHost, checkPort, checkSocketOptions, socketTypeFor } from './udp-options.js'
import { applyBufferSizes, closeSocket, createErrorCounter } from './udp-socket.js'

/** Options of {@link createUdpServer}. */
export interface UdpServerOptions extends UdpSocketOptions {
  /** Address to bind. Default `0.0.0.0` (every IPv4 interface); `::` for IPv6 (and, where the OS allows, IPv4 too). */
  host?: string
  /** Port to bind; `0` picks a free one (read it from `address()`). */
  port: number
}

/** Counters of a UDP server, since it was created. */
export interface UdpServerStats {
  /** Datagrams handed to the core. */
  readonly received: number
  /** Datagrams refused as larger than `maxFrameBytes`. */
  readonly tooLarge: number
  /** Replies (acks) the OS accepted. */
  readonly replies: number
  /** Socket errors and failed replies. None of them stops the server. */
  readonly errors: number
}

/** A UDP `ServerTransport` with counters. */
export interface UdpServerTransport extends ServerTransport {
  readonly name: 'udp'
  readonly kind: 'datagram'
  stats(): UdpServerStats
}

/**
 * Creates a UDP server transport, to pass to `createMonitor({ transports })`.
 * The monitor starts it (bind) and closes it (release the port).
 *
 * ```ts
 * const monitor = createMonitor({ secret, transports: [createUdpServer({ port: 7000 })] })
 * await monitor.start()
 * ```
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createUdpServer(options: UdpServerOptions): UdpServerTransport {
  if (typeof options !== 'object' || options === null) throw new HeartbeatError('HB_ERR_CONFIG', 'createUdpServer needs { port }')
  const host = checkHost(options.host ?? '0.0.0.0')
  const port = checkPort(options.port, true)
  const type: UdpSocketType = socketTypeFor(host, options.type)
  checkSocketOptions(options)
  const errors = createErrorCounter(options.onError)

  let state: 'idle' | 'starting' | 'listening' | 'closed' = 'idle'
  let socket: Socket | undefined
  let bound: TransportAddress | null = null
  let abortStart: ((error: HeartbeatError) => void) | undefined
  let closing: Promise<void> | undefined
  let received = 0
  let tooLarge = 0
  let replies = 0

  const onReplySent = (error: Error | null): void => {
    if (error === null) replies++
    else errors.report(error, 'udp reply failed')
  }

  function sendReply(bytes: Uint8Array, rinfo: RemoteInfo): void {
    const current = socket
    if (current === undefined || state !== 'listening') return
    try {
      current.send(bytes, rinfo.port, rinfo.address, onReplySent)
    } catch (error) {
      errors.report(error, 'udp reply failed')
    }
  }

  // The sender of the datagram being handled: the core replies synchronously inside
  // onFrame (transport.ts), so one reply function serves every datagram, no closure each.
  let replyTo: RemoteInfo | undefined
  const reply = (bytes: Uint8Array): void => {
    if (replyTo !== undefined) sendReply(bytes, replyTo)
  }

  function listen(current: Socket, handler: ServerTransportHandler, maxFrameBytes: number): void {
    // The socket stays open after an error (an ICMP report, a failed send): count it and go on.
    current.on('error', (error) => errors.report(error, 'udp socket error'))
    current.on('message', (message: Buffer, rinfo: RemoteInfo) => {
      if (socket !== current || state !== 'listening') return
      const remoteAddress = formatAddress(rinfo.address, rinfo.port)
      try {
        if (message.length > maxFrameBytes) {
          tooLarge++
          handler.onRejected({ reason: 'too-large', remoteAddress, detail: `${message.length}-byte datagram` })
          return
        }
        received++
        replyTo = rinfo
        handler.onFrame({ bytes: message, remoteAddress, reply })
      } catch (error) {
        // The core never throws here by contract; if it ever does, one datagram must not kill the server.
        errors.report(error, 'udp frame handler threw')
      } finally {
        replyTo = undefined
      }
    })
  }

  const server: UdpServerTransport = {
    name: 'udp',
    kind: 'datagram',

    start(handler, startOptions) {
      if (state === 'closed') return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'udp server is closed'))
      if (state !== 'idle') return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', 'udp server already started'))
      state = 'starting'
      const current = createSocket({ type, reuseAddr: false })
      socket = current
      return new Promise<void>((resolve, reject) => {
        const settle = (error: HeartbeatError | undefined): void => {
          current.off('error', onBindError)
          abortStart = undefined
          if (error === undefined) return resolve()
          if (state === 'starting') {
            // A failed bind: release the socket and allow another start().
            state = 'idle'
            socket = undefined
            void closeSocket(current)
          }
          reject(error)
        }
        const onBindError = (error: Error): void =>
          settle(new HeartbeatError('HB_ERR_TRANSPORT', `cannot bind udp ${formatAddress(host, port)}`, { cause: error }))
        abortStart = settle
        current.once('error', onBindError)
        current.bind({ port, address: host, exclusive: true }, () => {
          if (abortStart !== settle) return
          try {
            applyBufferSizes(current, options)
            const address = current.address()
            bound = { host: address.address, port: address.port, family: address.family }
          } catch (error) {
            settle(HeartbeatError.isInstance(error) ? error : new HeartbeatError('HB_ERR_TRANSPORT', 'udp bind failed', { cause: error }))
            return
          }
          state = 'listening'
          listen(current, handler, startOptions.maxFrameBytes)
          settle(undefined)
        })
      })
    },

    address() {
      return state === 'listening' ? bound : null
    },

    close() {
      closing ??= (async () => {
        state = 'closed'
        bound = null
        const current = socket
        socket = undefined
        abortStart?.(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'udp server closed while starting'))
        if (current !== undefined) {
          current.removeAllListeners('message')
          await closeSocket(current)
        }
      })()
      return closing
    },

    stats() {
      return { received, tooLarge, replies, errors: errors.count }
    },
  }
  return server
}
