/**
 * The UDP server transport: one `node:dgram` socket, one hb frame per
 * datagram. It hands every datagram to the core with a `reply` that answers
 * the sender's source address (so acks find a peer behind NAT), refuses
 * datagrams over `maxFrameBytes`, and survives every socket error. Start and
 * close are the adapter kit's server lifecycle; this file is the dgram glue.
 */
import { createSocket } from 'node:dgram'
import type { RemoteInfo, Socket } from 'node:dgram'
import { checkHost, checkOptionNames, checkPort, configError, createServerLifecycle, formatAddress } from '@hb/core/adapter'
import type { ServerTransportHandler, TransportAddress, TransportStartOptions } from '@hb/core/adapter'
import { HeartbeatError } from '@hb/core'
import type { ServerTransport } from '@hb/core'
import type { UdpSocketOptions, UdpSocketType } from './udp-options.js'
import { checkSocketOptions, socketTypeFor } from './udp-options.js'
import { applyBufferSizes, closeSocket, createErrorReporter } from './udp-socket.js'

/** Options of {@link createUdpServer}. */
export interface UdpServerOptions extends UdpSocketOptions {
  /**
   * Address to bind. Default: every interface, as `node:dgram` binds without
   * an address: every IPv4 one for `udp4` (the default type), every IPv6 one
   * (and, where the OS allows, IPv4 too) for `type: 'udp6'`.
   */
  host?: string
  /** Port to bind; `0` picks a free one (read it from `address()`). */
  port: number
}

/** A UDP `ServerTransport`. */
export interface UdpServerTransport extends ServerTransport {
  readonly name: 'udp'
  readonly kind: 'datagram'
}

/** Every option's name (the compiler keeps it in step with `UdpServerOptions`). */
const SERVER_OPTIONS = {
  host: true, port: true, type: true, recvBufferSize: true, sendBufferSize: true, onError: true,
} as const satisfies Record<keyof UdpServerOptions, true>

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
  if (typeof options !== 'object' || options === null) throw configError('createUdpServer needs { port }')
  checkOptionNames('createUdpServer', options, SERVER_OPTIONS)
  const host = options.host === undefined ? undefined : checkHost(options.host)
  const port = checkPort(options.port, { allowZero: true })
  const type: UdpSocketType = socketTypeFor(host, options.type)
  checkSocketOptions(options)
  const reportError = createErrorReporter(options.onError)

  /** The bound socket, from a successful bind until `release()`. */
  let socket: Socket | undefined

  // The sender of the datagram being handled: the core replies synchronously inside
  // onFrame (transport.ts), so one reply function serves every datagram, no closure each.
  let replyTo: RemoteInfo | undefined
  const reply = (bytes: Uint8Array): void => {
    const to = replyTo
    const current = socket
    if (to === undefined || current === undefined || lifecycle.state !== 'listening') return
    try {
      // No callback: dgram then tries the send synchronously, with no completion request
      // and no callback per ack; a failed send is emitted as the socket's 'error', reported below.
      current.send(bytes, to.port, to.address)
    } catch (error) {
      reportError(error, 'udp: reply failed')
    }
  }

  function receive(current: Socket, handler: ServerTransportHandler, maxFrameBytes: number): void {
    // The socket stays open after an error (an ICMP report, a failed send): report it and go on.
    current.on('error', (error) => reportError(error, 'udp: socket error'))
    current.on('message', (message: Buffer, rinfo: RemoteInfo) => {
      // Nothing reaches the core once close() was called (or before start() resolved).
      if (socket !== current || lifecycle.state !== 'listening') return
      const remoteAddress = formatAddress(rinfo.address, rinfo.port)
      try {
        if (message.length > maxFrameBytes) {
          handler.onRejected({ reason: 'too-large', remoteAddress, detail: `${message.length}-byte datagram` })
          return
        }
        replyTo = rinfo
        handler.onFrame({ bytes: message, remoteAddress, reply })
      } catch (error) {
        // The core never throws here by contract; if it ever does, one datagram must not kill the server.
        reportError(error, 'udp: frame handler threw')
      } finally {
        replyTo = undefined
      }
    })
  }

  function listen(handler: ServerTransportHandler, startOptions: TransportStartOptions): Promise<TransportAddress> {
    const current = createSocket({ type, reuseAddr: false })
    return new Promise<TransportAddress>((resolve, reject) => {
      const failed = (error: unknown): void => {
        // A failed bind: release the socket here (the lifecycle only releases a successful listen).
        void closeSocket(current)
        reject(
          HeartbeatError.isInstance(error)
            ? error
            : new HeartbeatError('HB_ERR_TRANSPORT', `udp: cannot bind port ${port}${host === undefined ? '' : ` on ${host}`}`, { cause: error }),
        )
      }
      current.once('error', failed)
      // No address: dgram binds every interface of the socket's family (see `UdpServerOptions.host`).
      current.bind({ port, address: host, exclusive: true }, () => {
        current.off('error', failed)
        let address: TransportAddress
        try {
          applyBufferSizes(current, options)
          const info = current.address()
          address = { host: info.address, port: info.port, family: info.family }
        } catch (error) {
          return failed(error)
        }
        socket = current
        receive(current, handler, startOptions.maxFrameBytes)
        resolve(address)
      })
    })
  }

  async function release(): Promise<void> {
    const current = socket
    socket = undefined
    if (current === undefined) return
    current.removeAllListeners('message')
    await closeSocket(current)
  }

  const lifecycle = createServerLifecycle({ name: 'udp', listen, release })

  return {
    name: 'udp',
    kind: 'datagram',
    start: lifecycle.start,
    address: lifecycle.address,
    close: lifecycle.close,
  }
}
