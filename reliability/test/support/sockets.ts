/**
 * Raw clients for hostile tests: they speak bytes, not hb, so the tests can
 * send what no hb client would.
 */
import { createSocket } from 'node:dgram'
import type { Socket as UdpSocket } from 'node:dgram'
import { connect } from 'node:net'
import type { Socket } from 'node:net'

export function lengthPrefixed(frame: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + frame.length)
  out.writeUInt32BE(frame.length, 0)
  out.set(frame, 4)
  return out
}

export function tcpConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      socket.on('error', () => {})
      // Flowing, so a FIN from the server is seen as 'end' and then 'close': a paused socket
      // never emits 'end' until its data is read, and would look open forever.
      socket.resume()
      resolve(socket)
    })
  })
}

/** Resolves when the socket closes; rejects after `deadlineMs` (its timer cleared once the socket closes). */
export function closed(socket: Socket, deadlineMs: number, what: string): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what} to close`)), deadlineMs)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

export async function udpSocket(): Promise<UdpSocket> {
  const socket = createSocket('udp4')
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  return socket
}

export function udpSend(socket: UdpSocket, bytes: Uint8Array, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(bytes, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())))
}

export function udpClose(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()))
}
