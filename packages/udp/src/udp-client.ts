/**
 * The UDP client transport, driven by a beater: one ephemeral `node:dgram`
 * socket `connect`ed to the server, so the kernel drops datagrams from anyone
 * else and the source port stays the same for the socket's life (which is what
 * keeps a NAT mapping, and the server's replies, pointed at this peer).
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { formatAddress } from '@hb/core/adapter'
import { HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import type { ClientTransportHandler, TransportAddress } from '@hb/core/adapter'
import type { UdpSocketOptions, UdpSocketType } from './udp-options.js'
import { checkHost, checkPort, checkSocketOptions, socketTypeFor } from './udp-options.js'
import { applyBufferSizes, closeSocket, createErrorCounter } from './udp-socket.js'

/** Options of {@link createUdpClient}. */
export interface UdpClientOptions extends UdpSocketOptions {
  /** The server's host: an IP literal, or a name resolved once per `connect()`. */
  host: string
  /** The server's port. */
  port: number
  /** Local address to bind, e.g. to pick an interface. Default: any (the OS picks, with an ephemeral port). */
  localAddress?: string
}

/** Counters of a UDP client, since it was created. */
export interface UdpClientStats {
  /** Datagrams the OS accepted. */
  readonly sent: number
  /** Datagrams received from the server and handed to the core. */
  readonly received: number
  /**
   * Socket errors: typically ECONNREFUSED while nothing listens on the server's
   * port (the kernel reports the ICMP "port unreachable"). The socket stays up,
   * so beats resume being acked as soon as the server is back.
   */
  readonly errors: number
}

/** A UDP `ClientTransport` with counters and its local address. */
export interface UdpClientTransport extends ClientTransport {
  readonly name: 'udp'
  readonly kind: 'datagram'
  readonly encoding: 'binary'
  /** The local (ephemeral) address while connected, else `null`. */
  localAddress(): TransportAddress | null
  stats(): UdpClientStats
}

/**
 * Creates a UDP client transport, to pass to `createBeater({ transport })`.
 *
 * ```ts
 * const beater = createBeater({ id: 'worker-7', secret, transport: createUdpClient({ host: 'hb.internal', port: 7000 }) })
 * const stop = beater.start()
 * ```
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createUdpClient(options: UdpClientOptions): UdpClientTransport {
  if (typeof options !== 'object' || options === null) throw new HeartbeatError('HB_ERR_CONFIG', 'createUdpClient needs { host, port }')
  const host = checkHost(options.host)
  const port = checkPort(options.port, false)
  const localAddress = options.localAddress === undefined ? undefined : checkHost(options.localAddress)
  const type: UdpSocketType = socketTypeFor(host, options.type)
  checkSocketOptions(options)
  const errors = createErrorCounter(options.onError)
  const target = formatAddress(host, port)

  let socket: Socket | undefined
  let connected = false
  let closed = false
  let closing: Promise<void> | undefined
  let abortConnect: ((error: HeartbeatError) => void) | undefined
  let sent = 0
  let received = 0

  const closedError = (message = 'udp client is closed'): HeartbeatError => new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', message)

  function drop(current: Socket | undefined): Promise<void> {
    if (current === undefined) return Promise.resolve()
    current.removeAllListeners('message')
    return closeSocket(current)
  }

  const client: UdpClientTransport = {
    name: 'udp',
    kind: 'datagram',
    encoding: 'binary',

    connect(handler: ClientTransportHandler) {
      if (closed) return Promise.reject(closedError())
      if (abortConnect !== undefined) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', 'udp connect already pending'))
      // A second connect() starts over on a fresh socket (and a fresh source port).
      void drop(socket)
      connected = false
      const current = createSocket({ type })
      socket = current
      return new Promise<void>((resolve, reject) => {
        const settle = (error: HeartbeatError | undefined): void => {
          abortConnect = undefined
          if (error !== undefined) {
            if (socket === current) socket = undefined
            void drop(current)
            return reject(error)
          }
          connected = true
          resolve()
        }
        abortConnect = settle
        const failed = (error: unknown): void =>
          settle(new HeartbeatError('HB_ERR_TRANSPORT', `cannot connect udp socket to ${target}`, { cause: error }))
        // Before connect completes an error (a failed bind) fails connect(); after, it is counted.
        current.on('error', (error) => (abortConnect === settle ? failed(error) : errors.report(error, 'udp socket error')))
        current.on('message', (message: Buffer) => {
          if (socket !== current || closed) return
          received++
          try {
            handler.onFrame(message)
          } catch (error) {
            errors.report(error, 'udp frame handler threw')
          }
        })
        const onConnected = (error?: Error): void => {
          if (abortConnect !== settle) return
          if (error !== undefined) return failed(error)
          try {
            applyBufferSizes(current, options)
          } catch (sizeError) {
            return settle(sizeError as HeartbeatError)
          }
          settle(undefined)
        }
        try {
          if (localAddress === undefined) current.connect(port, host, onConnected)
          else current.bind({ port: 0, address: localAddress }, () => current.connect(port, host, onConnected))
        } catch (error) {
          failed(error)
        }
      })
    },

    send(bytes) {
      if (closed) return Promise.reject(closedError())
      const current = socket
      if (current === undefined || !connected) return Promise.reject(closedError('udp client is not connected'))
      return new Promise<void>((resolve, reject) => {
        const done = (error: Error | null): void => {
          if (error === null) {
            sent++
            return resolve()
          }
          // Errors of a socket we closed ourselves are the close, not a network failure.
          if (closed || socket !== current) return reject(closedError())
          errors.report(error, 'udp send failed')
          reject(new HeartbeatError('HB_ERR_TRANSPORT', `udp send to ${target} failed`, { cause: error }))
        }
        try {
          current.send(bytes, done)
        } catch (error) {
          done(error instanceof Error ? error : new Error(String(error)))
        }
      })
    },

    localAddress() {
      if (!connected || socket === undefined) return null
      try {
        const address = socket.address()
        return { host: address.address, port: address.port, family: address.family }
      } catch {
        return null
      }
    },

    close() {
      closing ??= (async () => {
        closed = true
        connected = false
        const current = socket
        socket = undefined
        abortConnect?.(closedError('udp client closed while connecting'))
        await drop(current)
      })()
      return closing
    },

    stats() {
      return { sent, received, errors: errors.count }
    },
  }
  return client
}
