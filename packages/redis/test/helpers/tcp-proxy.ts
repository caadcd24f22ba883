/**
 * A TCP proxy in front of Redis for one client, to cut that client off
 * (a partition) while others still reach Redis: `cut()` drops every
 * connection and refuses new ones until `heal()`.
 */
import { createServer, connect } from 'node:net'
import type { Socket } from 'node:net'

export interface TcpProxy {
  readonly port: number
  readonly url: string
  cut(): void
  heal(): void
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let cut = false
  const server = createServer((client) => {
    if (cut) return void client.destroy()
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
    }
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cut() {
      cut = true
      for (const socket of sockets) socket.destroy()
    },
    heal() {
      cut = false
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
