/**
 * One monitor on all four transports, and a raw sender for each: bytes go
 * out exactly as given (a captured frame, a forged one), with no hb client in
 * the way.
 */
import WebSocket from 'ws'
import type { MonitorOptions } from '@hb/core'
import { createHttpServer } from '@hb/http'
import { createTcpServer } from '@hb/tcp'
import { createUdpServer } from '@hb/udp'
import { createWsServer } from '@hb/ws'
import type { Harness } from './monitor-harness.js'
import { startMonitor } from './monitor-harness.js'
import { lengthPrefixed, tcpConnect, udpClose, udpSend, udpSocket } from './sockets.js'

export type RawTransport = 'udp' | 'tcp' | 'ws' | 'http'
export const rawTransports: readonly RawTransport[] = ['udp', 'tcp', 'ws', 'http']

export interface AllTransports extends Harness {
  /** Sends one frame's bytes over `transport`, on a connection of its own (TCP/WS stay open until close()). */
  send(transport: RawTransport, bytes: Uint8Array, encoding?: 'binary' | 'json'): Promise<void>
  close(): Promise<void>
}

export async function startAllTransports(options: Partial<MonitorOptions> = {}): Promise<AllTransports> {
  const udp = createUdpServer({ host: '127.0.0.1', port: 0 })
  const tcp = createTcpServer({ host: '127.0.0.1', port: 0 })
  const ws = createWsServer({ host: '127.0.0.1', port: 0 })
  const http = createHttpServer({ host: '127.0.0.1', port: 0 })
  const harness = await startMonitor({ ...options, transports: [udp, tcp, ws, http] })
  const closers: (() => Promise<unknown> | void)[] = []
  const udpClient = await udpSocket()
  closers.push(() => udpClose(udpClient))
  const ports = { udp: udp.address()!.port, tcp: tcp.address()!.port, ws: ws.address()!.port, http: http.address()!.port }

  async function send(transport: RawTransport, bytes: Uint8Array, encoding: 'binary' | 'json' = 'binary'): Promise<void> {
    switch (transport) {
      case 'udp':
        return udpSend(udpClient, bytes, ports.udp)
      case 'tcp': {
        const socket = await tcpConnect(ports.tcp)
        closers.push(() => void socket.destroy())
        socket.write(lengthPrefixed(bytes))
        return
      }
      case 'ws': {
        const client = new WebSocket(`ws://127.0.0.1:${ports.ws}/`)
        client.on('error', () => {})
        closers.push(() => client.terminate())
        await new Promise<void>((resolve, reject) => {
          client.once('open', () => resolve())
          client.once('error', reject)
        })
        client.send(encoding === 'json' ? Buffer.from(bytes).toString('utf8') : bytes)
        return
      }
      case 'http': {
        const contentType = encoding === 'json' ? 'application/json' : 'application/octet-stream'
        const response = await fetch(`http://127.0.0.1:${ports.http}/`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: bytes,
          signal: AbortSignal.timeout(5000),
        })
        await response.arrayBuffer()
        return
      }
    }
  }

  return {
    ...harness,
    send,
    async close() {
      for (const closer of closers.splice(0)) await closer()
      await harness.monitor.close()
    },
  }
}
