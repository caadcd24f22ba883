/**
 * What the UDP server and client both do to a `node:dgram` socket: size its
 * buffers, close it without throwing, and report errors without crashing.
 */
import type { Socket } from 'node:dgram'
import { HeartbeatError } from '@hb/core'
import type { UdpSocketOptions } from './udp-options.js'

/**
 * Applies the requested buffer sizes to a bound socket (Node can only set them
 * once bound). Throws `HB_ERR_TRANSPORT` if the OS refuses: a size that was
 * asked for explicitly should not be silently ignored.
 */
export function applyBufferSizes(socket: Socket, options: UdpSocketOptions): void {
  try {
    if (options.recvBufferSize !== undefined) socket.setRecvBufferSize(options.recvBufferSize)
    if (options.sendBufferSize !== undefined) socket.setSendBufferSize(options.sendBufferSize)
  } catch (error) {
    throw new HeartbeatError('HB_ERR_TRANSPORT', 'udp: cannot set the socket buffer sizes', { cause: error })
  }
}

const closings = new WeakMap<Socket, Promise<void>>()

/**
 * Closes a socket and resolves once it is closed (its port released). Never
 * rejects, and every call for the same socket returns the same promise, so a
 * second caller also waits for the real close.
 */
export function closeSocket(socket: Socket): Promise<void> {
  let closing = closings.get(socket)
  if (closing === undefined) {
    // Whatever a closing socket still reports is moot, and must never be an unhandled 'error'.
    socket.on('error', () => {})
    closing = new Promise((resolve) => {
      try {
        socket.close(() => resolve())
      } catch {
        // Already closed by Node itself (or never bound): nothing left to release.
        resolve()
      }
    })
    closings.set(socket, closing)
  }
  return closing
}

/** Reports an error, wrapped, to the user's `onError`, which can never break the caller. */
export type ErrorReporter = (error: unknown, message: string) => void

/** An {@link ErrorReporter} over an optional `onError` callback (a no-op without one). */
export function createErrorReporter(onError: UdpSocketOptions['onError']): ErrorReporter {
  if (onError === undefined) return () => {}
  return (error, message) => {
    try {
      onError(HeartbeatError.isInstance(error) ? error : new HeartbeatError('HB_ERR_TRANSPORT', message, { cause: error }))
    } catch {
      // A throwing listener must not turn one bad datagram into a crash.
    }
  }
}
