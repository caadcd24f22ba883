/**
 * `GET /api/events`: transitions as server-sent events, resumable.
 *
 * - `event: transition`, `id: <boot>.<n>`: one per transition. A client that
 *   reconnects with `Last-Event-ID` (browsers' EventSource does it by itself)
 *   first gets every transition it missed, then the live ones.
 * - `event: ready` first on a new stream, `event: reset` first on a stream
 *   that cannot resume (the missed transitions are no longer kept, or the id
 *   is from another run of the server): load the peers now, then apply
 *   transitions as they come. Both carry the current id.
 * - `event: sample`: counts and RTT percentiles every `sampleIntervalMs`.
 * - a comment every 15 s keeps proxies from closing an idle stream.
 *
 * A client that reads slower than events come is disconnected once more
 * than `maxBufferedBytes` wait for it: its reconnect resumes from its last id,
 * and the server's memory stays bounded.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock, TimerHandle } from '@hb/core'
import type { EventLog, LoggedEvent } from './event-log.js'
import type { PeerSummary } from './peer-summary.js'
import type { SummaryHistory } from './summary-history.js'

export interface EventStreamRoute {
  handle(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void
  /** Live streams now. */
  readonly clients: number
  /** Ends every stream (server shutdown). */
  closeAll(): void
}

export interface EventStreamRouteOptions {
  readonly log: EventLog
  readonly history: SummaryHistory
  readonly clock: Clock
  /** Identifies this run of the server in event ids, so an id from an earlier run is not mistaken for one of this run. */
  readonly bootId: string
  readonly maxClients?: number
  readonly maxBufferedBytes?: number
  readonly keepAliveMs?: number
}

/** The SSE id of a logged event. */
export function eventId(bootId: string, id: number): string {
  return `${bootId}.${id}`
}

export function createEventStreamRoute(options: EventStreamRouteOptions): EventStreamRoute {
  const { log, history, clock, bootId } = options
  const maxClients = options.maxClients ?? 100
  const maxBufferedBytes = options.maxBufferedBytes ?? 1 << 20
  const keepAliveMs = options.keepAliveMs ?? 15_000
  const streams = new Set<() => void>()

  /** The log id to resume after, `undefined` for no resumption, `null` when the client must reset. */
  function resumeFrom(request: IncomingMessage, query: URLSearchParams): number | undefined | null {
    const header = request.headers['last-event-id']
    const raw = (typeof header === 'string' ? header : undefined) ?? query.get('lastEventId') ?? undefined
    if (raw === undefined || raw === '') return undefined
    const dot = raw.lastIndexOf('.')
    const id = Number(raw.slice(dot + 1))
    if (dot === -1 || raw.slice(0, dot) !== bootId || !Number.isSafeInteger(id)) return null
    return id
  }

  return {
    handle(request, response, query) {
      if (streams.size >= maxClients) {
        response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' })
        response.end(JSON.stringify({ error: 'too-many-streams', message: `at most ${maxClients} event streams at once` }))
        return
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      let ended = false
      let keepAlive: TimerHandle | undefined
      const send = (text: string) => {
        if (ended) return
        response.write(text)
        if (response.writableLength > maxBufferedBytes) end()
      }
      const sendTransition = (logged: LoggedEvent) =>
        send(`id: ${eventId(bootId, logged.id)}\nevent: transition\ndata: ${JSON.stringify(logged.event)}\n\n`)
      const sendSample = (sample: PeerSummary) => send(`event: sample\ndata: ${JSON.stringify(sample)}\n\n`)
      const ping = () => {
        send(': keep-alive\n\n')
        keepAlive = clock.setTimeout(ping, keepAliveMs)
      }
      const offLog = log.subscribe(sendTransition)
      const offHistory = history.subscribe(sendSample)
      function end() {
        if (ended) return
        ended = true
        offLog()
        offHistory()
        clock.clearTimeout(keepAlive)
        streams.delete(end)
        response.end()
      }
      streams.add(end)
      response.on('close', end)

      send('retry: 2000\n\n')
      const from = resumeFrom(request, query)
      const missed = from === undefined || from === null ? undefined : log.since(from)
      if (missed !== undefined) for (const logged of missed) sendTransition(logged)
      // A new client (or one that cannot resume) learns the current id, so its own reconnects resume.
      else send(`id: ${eventId(bootId, log.lastId)}\nevent: ${from === undefined ? 'ready' : 'reset'}\ndata: {}\n\n`)
      keepAlive = clock.setTimeout(ping, keepAliveMs)
    },
    get clients() {
      return streams.size
    },
    closeAll() {
      for (const end of [...streams]) end()
    },
  }
}
