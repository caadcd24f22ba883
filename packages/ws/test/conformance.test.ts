/**
 * The conformance suite in every mode of @hb/ws: standalone, attached to an
 * http.Server the test owns, and the `@hb/ws/client` entry on a
 * browser-like WebSocket (the standard API only: no `terminate`).
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { transportConformance } from '@hb/core/testing'
import { WebSocket as NodeWebSocket } from 'ws'
import { createWsClient as createBrowserWsClient } from '../src/client.js'
import type { WebSocketCloseEventLike, WebSocketLike, WebSocketMessageEventLike } from '../src/client.js'
import { createWsClient, createWsServer } from '../src/index.js'

const api = { describe, it, expect, afterEach }

transportConformance(api, {
  name: 'ws standalone',
  capabilities: { kind: 'connection' },
  createServer: (port) => createWsServer({ host: '127.0.0.1', port: port ?? 0 }),
  createClient: (address) => createWsClient({ url: address.url ?? `ws://${address.host}:${address.port}/` }),
})

// Attached: the test owns the http.Server (listening before the transport starts) and closes it.
const hosts: Server[] = []
afterEach(async () => {
  await Promise.all(
    hosts.splice(0).map((host) => {
      host.closeAllConnections()
      return new Promise<void>((resolve) => host.close(() => resolve()))
    }),
  )
})

function hostServer(): Server {
  const host = createServer((_request, response) => {
    response.writeHead(404)
    response.end()
  })
  hosts.push(host)
  host.listen(0, '127.0.0.1')
  return host
}

transportConformance(api, {
  name: 'ws attached',
  capabilities: { kind: 'connection', listens: false },
  createServer: () => {
    const host = hostServer()
    const transport = createWsServer({ server: host, path: '/hb' })
    // The attached transport reads its address from the host, so start() also waits for the host to listen
    // (after calling the transport's start at once, so a close() during start reaches the transport as it is).
    const ready = once(host, 'listening')
    return {
      name: transport.name,
      kind: transport.kind,
      start: (handler, options) =>
        transport.start(handler, options).then(async () => {
          if (!host.listening) await ready
        }),
      address: () => transport.address(),
      close: () => transport.close(),
    }
  },
  createClient: (address) => createWsClient({ url: address.url ?? `ws://127.0.0.1:${address.port}/hb` }),
})

/** A WebSocket with the browser's API only (Node 20 has no global one): `ws` underneath, `terminate` hidden. */
class BrowserLikeWebSocket implements WebSocketLike {
  readonly #socket: NodeWebSocket
  constructor(url: string) {
    this.#socket = new NodeWebSocket(url)
  }
  get binaryType(): string {
    return this.#socket.binaryType
  }
  set binaryType(value: string) {
    this.#socket.binaryType = value as NodeWebSocket['binaryType']
  }
  get readyState(): number {
    return this.#socket.readyState
  }
  send(data: string | ArrayBufferView): void {
    this.#socket.send(data)
  }
  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason)
  }
  addEventListener(type: 'open', listener: () => void): void
  addEventListener(type: 'message', listener: (event: WebSocketMessageEventLike) => void): void
  addEventListener(type: 'close', listener: (event: WebSocketCloseEventLike) => void): void
  addEventListener(type: 'error', listener: (event: unknown) => void): void
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void {
    this.#socket.addEventListener(type, listener as () => void)
  }
}

transportConformance(api, {
  name: 'ws @hb/ws/client (browser-like WebSocket)',
  capabilities: { kind: 'connection', browser: true },
  createServer: (port) => createWsServer({ host: '127.0.0.1', port: port ?? 0 }),
  createClient: (address) =>
    createBrowserWsClient({ url: address.url ?? `ws://${address.host}:${address.port}/`, WebSocket: BrowserLikeWebSocket }),
})

