import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { createWaiter } from '@hb/core/testing'

export { createWaiter }

/** A raw socket for the tests to play attacker (or stray sender) with. */
export async function rawSocket(type: 'udp4' | 'udp6' = 'udp4', port = 0): Promise<Socket & { received: Buffer[] }> {
  const socket = Object.assign(createSocket(type), { received: [] as Buffer[] })
  socket.on('message', (message) => socket.received.push(message))
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, type === 'udp4' ? '127.0.0.1' : '::1', () => (socket.off('error', reject), resolve()))
  })
  return socket
}

/** One turn of the event loop (not a sleep: no time has to pass). */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Sends one datagram and waits until the OS took it. */
export function sendTo(socket: Socket, bytes: Uint8Array, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => socket.send(bytes, port, host, (error) => (error ? reject(error) : resolve())))
}

export function closeRaw(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve())
    } catch {
      resolve()
    }
  })
}

/** True if this machine can bind a UDP socket on the IPv6 loopback (containers often cannot). */
export async function hasIpv6Loopback(): Promise<boolean> {
  const socket = createSocket('udp6')
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false))
    socket.bind(0, '::1', () => resolve(true))
  })
  await closeRaw(socket)
  return ok
}
