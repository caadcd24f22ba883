/**
 * The admin HTTP server: the API, the dashboard, the probes and `/metrics`,
 * on its own port. Everything is GET; a request body is never read into
 * memory (it is counted and discarded, 413 past `maxBodyBytes`). With a
 * token, the API and `/metrics` need `Authorization: Bearer <token>`; the
 * probes and the dashboard's static files (which hold no data) do not.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Clock } from '@hb/core'
import type { Registry } from 'prom-client'
import type { Presence } from '../presence/presence.js'
import { createBearerAuth } from './bearer-auth.js'
import type { Asset } from './dashboard-assets.js'
import type { EventLog } from './event-log.js'
import { createEventStreamRoute } from './event-stream-route.js'
import { sendError, sendJson } from './http-reply.js'
import { pagePeers, parsePeersQuery } from './peers-query.js'
import type { SummaryHistory } from './summary-history.js'

/** Where the admin server logs (a pino logger fits). */
export interface AdminLogger {
  error(fields: object, message: string): void
}

export interface AdminServerOptions {
  readonly host: string
  readonly port: number
  readonly token: string | undefined
  readonly presence: Presence
  readonly log: EventLog
  readonly history: SummaryHistory
  readonly registry: Registry
  readonly clock: Clock
  readonly bootId: string
  readonly assets: Map<string, Asset>
  /** True once the monitor serves and until shutdown begins (`/readyz`). */
  readonly isReady: () => boolean
  readonly logger: AdminLogger
  /** Largest request body accepted (they are all ignored). Default 8192. */
  readonly maxBodyBytes?: number
}

export interface AdminServer {
  start(): Promise<void>
  /** `http://host:port`, once started. */
  url(): string
  /** Stops accepting, ends event streams and open connections. Idempotent. */
  close(): Promise<void>
}

/** Discards a request's body; resolves false if it is over `maxBytes` (the request is then unusable). */
function discardBody(request: IncomingMessage, maxBytes: number): Promise<boolean> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > maxBytes) return Promise.resolve(false)
  if (request.readableEnded || (declared === 0 && request.headers['transfer-encoding'] === undefined)) return Promise.resolve(true)
  return new Promise((resolve) => {
    let seen = 0
    request.on('data', (chunk: Buffer) => {
      seen += chunk.length
      if (seen > maxBytes) {
        request.removeAllListeners('data')
        request.pause()
        resolve(false)
      }
    })
    request.on('end', () => resolve(seen <= maxBytes))
    request.on('error', () => resolve(false))
  })
}

export function createAdminServer(options: AdminServerOptions): AdminServer {
  const { presence, log, history, registry, assets, logger } = options
  const maxBodyBytes = options.maxBodyBytes ?? 8192
  const authorized = createBearerAuth(options.token)
  const events = createEventStreamRoute({ log, history, clock: options.clock, bootId: options.bootId })
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let closing: Promise<void> | undefined

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://admin')
    const path = url.pathname
    if (!(await discardBody(request, maxBodyBytes))) {
      sendError(response, 413, 'body-too-large', `request bodies are limited to ${maxBodyBytes} bytes`, { connection: 'close' })
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendError(response, 405, 'method-not-allowed', 'the admin API is read-only: use GET', { allow: 'GET, HEAD' })
      return
    }
    const asset = assets.get(path)
    if (asset !== undefined) {
      response.writeHead(200, { 'content-type': asset.contentType, 'content-length': asset.body.length, 'cache-control': 'no-cache' })
      response.end(request.method === 'HEAD' ? undefined : asset.body)
      return
    }
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' })
    if (path === '/readyz') {
      const ready = options.isReady()
      return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready' })
    }
    if (!path.startsWith('/api/') && path !== '/metrics') return sendError(response, 404, 'not-found', `no such path: ${path.slice(0, 100)}`)
    if (!authorized(request)) {
      return sendError(response, 401, 'unauthorized', 'send the admin token as "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer realm="hb"' })
    }
    if (path === '/metrics') {
      const text = await registry.metrics()
      response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' })
      response.end(text)
      return
    }
    if (path === '/api/peers') {
      let query
      try {
        query = parsePeersQuery(url.searchParams)
      } catch (error) {
        return sendError(response, 400, 'bad-query', (error as Error).message)
      }
      return sendJson(response, 200, pagePeers(presence.peers(), query))
    }
    if (path.startsWith('/api/peers/')) {
      let id: string
      try {
        id = decodeURIComponent(path.slice('/api/peers/'.length))
      } catch {
        return sendError(response, 400, 'bad-id', 'the peer id is not valid percent-encoding')
      }
      const peer = presence.get(id)
      return peer === undefined ? sendError(response, 404, 'not-found', 'no such peer') : sendJson(response, 200, peer)
    }
    if (path === '/api/summary') return sendJson(response, 200, { current: history.current(), history: history.samples(), lastEvents: log.latest(50) })
    if (path === '/api/events') return events.handle(request, response, url.searchParams)
    return sendError(response, 404, 'not-found', `no such path: ${path.slice(0, 100)}`)
  }

  function onRequest(request: IncomingMessage, response: ServerResponse) {
    route(request, response).catch((error: unknown) => {
      // The client learns only that it failed; the log gets the detail.
      logger.error({ err: error, path: (request.url ?? '').split('?')[0] }, 'admin request failed')
      sendError(response, 500, 'internal', 'internal error')
    })
  }

  return {
    async start() {
      const created = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, onRequest)
      server = created
      created.on('connection', (socket: Socket) => {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
      })
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject)
        created.listen(options.port, options.host, () => {
          created.off('error', reject)
          resolve()
        })
      })
      created.on('error', (error) => logger.error({ err: error }, 'admin server error'))
    },
    url() {
      const address = server?.address() as AddressInfo | null | undefined
      if (address === null || address === undefined) throw new Error('the admin server is not listening')
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        events.closeAll()
        if (server === undefined || !server.listening) return resolve()
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}
