/**
 * The UDP client transport, driven by a beater: one ephemeral `node:dgram`
 * socket `connect`ed to the server, so the kernel drops datagrams from anyone
 * else and the source port stays the same for the socket's life (which is what
 * keeps a NAT mapping, and the server's replies, pointed at this peer).
 *
 * A datagram client, not a connection client: `connect()` only binds a socket,
 * nothing can go down, so `onLinkDown` is never called and there is no
 * `disconnect()`. Its checks and errors are the adapter kit's, as for every
 * other client.
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { checkHost, checkOptionNames, checkPort, configError, formatAddress } from '@hb/core/adapter'
import type { ClientTransportHandler, TransportAddress } from '@hb/core/adapter'
import { HeartbeatError } from '@hb/core'
import type { ClientTransport } from '@hb/core'
import type { UdpSocketOptions, UdpSocketType } from './udp-options.js'
import { checkSocketOptions, socketTypeFor } from './udp-options.js'
import { applyBufferSizes, closeSocket, createErrorReporter } from './udp-socket.js'

/** Options of {@link createUdpClient}. */
export interface UdpClientOptions extends UdpSocketOptions {
  /** The server's host: an IP literal, or a name resolved once per `connect()`. */
  host: string
  /** The server's port. */
  port: number
  /** Local address to bind, e.g. to pick an interface. Default: any (the OS picks, with an ephemeral port). */
  localAddress?: string
}

/** A UDP `ClientTransport` that can tell its local address. */
export interface UdpClientTransport extends ClientTransport {
  readonly name: 'udp'
  readonly kind: 'datagram'
  readonly encoding: 'binary'
  /** The local (ephemeral) address while connected, else `null`. */
  localAddress(): TransportAddress | null
}

/** Every option's name (the compiler keeps it in step with `UdpClientOptions`). */
const CLIENT_OPTIONS = {
  host: true, port: true, localAddress: true, type: true, recvBufferSize: true, sendBufferSize: true, onError: true,
} as const satisfies Record<keyof UdpClientOptions, true>

/**
 * Creates a UDP client transport, to pass to `createBeater({ transport })`.
 *
 * ```ts
 * const beater = createBeater({ id: 'worker-7', secret, transport: createUdpClient({ host: 'hb.internal', port: 7000 }) })
 * const stop = beater.start()
 * ```
 *
 * While nothing listens on the server's port, the kernel reports ICMP "port
 * unreachable" as `ECONNREFUSED`: it goes to `onError` (or fails that one
 * `send()`), and the socket stays up, so beats are acked again as soon as the
 * server is back.
 *
 * @throws HeartbeatError `HB_ERR_CONFIG` on an invalid option.
 */
export function createUdpClient(options: UdpClientOptions): UdpClientTransport {
  if (typeof options !== 'object' || options === null) throw configError('createUdpClient needs { host, port }')
  checkOptionNames('createUdpClient', options, CLIENT_OPTIONS)
  const host = checkHost(options.host)
  const port = checkPort(options.port, { allowZero: false })
  const localAddress = options.localAddress === undefined ? undefined : checkHost(options.localAddress)
  const type: UdpSocketType = socketTypeFor(host, options.type)
  checkSocketOptions(options)
  const reportError = createErrorReporter(options.onError)
  const target = formatAddress(host, port)

  let socket: Socket | undefined
  let connected = false
  let closed = false
  let closing: Promise<void> | undefined
  let abortConnect: ((error: HeartbeatError) => void) | undefined

  // The same codes and messages as the kit's connection clients.
  const notConnected = (): HeartbeatError => new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `udp: not connected to ${target}`)
  const transportError = (message: string, cause: unknown): HeartbeatError =>
    HeartbeatError.isInstance(cause) ? cause : new HeartbeatError('HB_ERR_TRANSPORT', message, { cause })

  function drop(current: Socket | undefined): Promise<void> {
    if (current === undefined) return Promise.resolve()
    current.removeAllListeners('message')
    return closeSocket(current)
  }

  function open(current: Socket, handler: ClientTransportHandler): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (error: HeartbeatError | undefined): void => {
        abortConnect = undefined
        if (error === undefined) {
          connected = true
          return resolve()
        }
        if (socket === current) socket = undefined
        void drop(current)
        reject(error)
      }
      abortConnect = settle
      const failed = (error: unknown): void => settle(transportError(`udp: cannot connect to ${target}`, error))
      // Before connect completes an error (a failed bind) fails connect(); after, it is reported.
      current.on('error', (error) => (abortConnect === settle ? failed(error) : reportError(error, 'udp: socket error')))
      current.on('message', (message: Buffer) => {
        if (socket !== current || closed) return
        try {
          handler.onFrame(message)
        } catch (error) {
          reportError(error, 'udp: frame handler threw')
        }
      })
      const onConnected = (error?: Error): void => {
        if (abortConnect !== settle) return
        if (error !== undefined) return failed(error)
        try {
          applyBufferSizes(current, options)
        } catch (sizeError) {
          return failed(sizeError)
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
  }

  return {
    name: 'udp',
    kind: 'datagram',
    encoding: 'binary',

    connect(handler) {
      if (closed) return Promise.reject(notConnected())
      if (abortConnect !== undefined) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', 'udp: a connect() is already pending'))
      // A second connect() starts over on a fresh socket (and a fresh source port).
      void drop(socket)
      connected = false
      socket = createSocket({ type })
      return open(socket, handler)
    },

    send(bytes) {
      const current = socket
      if (closed || current === undefined || !connected) return Promise.reject(notConnected())
      return new Promise<void>((resolve, reject) => {
        const done = (error: Error | null): void => {
          if (error === null) return resolve()
          // Errors of a socket we closed ourselves are the close, not a network failure.
          if (closed || socket !== current) return reject(notConnected())
          reportError(error, `udp: write to ${target} failed`)
          reject(transportError(`udp: write to ${target} failed`, error))
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
        abortConnect?.(notConnected())
        await drop(current)
      })()
      return closing
    },
  }
}
