/**
 * The conformance suite in every mode of @hb/http: the standalone server
 * transport, the node handler mounted on a node http server, and the fetch
 * handler behind a node http server that converts requests and responses.
 * The handlers have no lifecycle of their own: each is mounted through a
 * small `ServerTransport` built on the adapter kit's `createServerLifecycle`,
 * as an application would mount it in a server it owns.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createServerLifecycle } from '@hb/core/adapter'
import type { ServerTransport, ServerTransportHandler, TransportStartOptions } from '@hb/core/adapter'
import { transportConformance } from '@hb/core/testing'
import { createFetchHandler, createHttpClient, createHttpHandler, createHttpServer } from '../src/index.js'

const api = { describe, it, expect, afterEach }
const client = (address: { url?: string; port: number }) => createHttpClient({ url: address.url ?? `http://127.0.0.1:${address.port}/hb` })

transportConformance(api, {
  name: 'http server',
  capabilities: { kind: 'request' },
  createServer: (port) => createHttpServer({ host: '127.0.0.1', port: port ?? 0, path: '/hb' }),
  createClient: client,
})

/** The handler as the application mounts it: a monitor's `attach` gives it the core's handler. */
type Mount = (handler: ServerTransportHandler, options: TransportStartOptions) => RequestListener

/** A node http server owned by the "application", with hb's handler mounted on it while started. */
function mounted(mount: Mount): ServerTransport {
  let host: Server | undefined
  const lifecycle = createServerLifecycle({
    name: 'http',
    async listen(handler, options) {
      const listener = mount(handler, options)
      const server = createServer((req, res) => listener(req, res))
      host = server
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
      })
      const { port, family } = server.address() as AddressInfo
      return { host: '127.0.0.1', port, family, url: `http://127.0.0.1:${port}/hb` }
    },
    async release() {
      const server = host
      if (server === undefined) return
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
  return { name: 'http', kind: 'request', start: lifecycle.start, address: lifecycle.address, close: lifecycle.close }
}

transportConformance(api, {
  name: 'http node handler',
  capabilities: { kind: 'request', listens: false },
  createServer: () => mounted((handler, options) => createHttpHandler({ attach: () => handler }, { path: '/hb', maxBodyBytes: options.maxFrameBytes })),
  createClient: client,
})

/** Node request → fetch Request → the fetch handler → fetch Response → node response, streaming the body. */
function serveFetch(handle: (request: Request) => Promise<Response>): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value)
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      duplex: 'half',
    } as RequestInit)
    handle(request).then(
      async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers))
        res.end(Buffer.from(await response.arrayBuffer()))
      },
      () => {
        res.writeHead(500)
        res.end()
      },
    )
  }
}

transportConformance(api, {
  name: 'http fetch handler',
  capabilities: { kind: 'request', listens: false },
  createServer: () =>
    mounted((handler, options) =>
      serveFetch(createFetchHandler({ attach: () => handler }, { path: '/hb', maxBodyBytes: options.maxFrameBytes, remoteAddress: () => '127.0.0.1:1' })),
    ),
  createClient: client,
})
