/**
 * The connection lifecycle every connection client shares (TCP, WebSocket, a
 * fifth transport), written once. An adapter supplies `open` (start one
 * attempt and wire its socket to the events below), `write` and `destroy`;
 * it gets `connect`, `send`, `disconnect` and `close` that keep every promise
 * of the seam (`transport.ts`):
 *
 * - `connect()` resolves once the attempt is open, rejects if it fails
 *   (`HB_ERR_TRANSPORT`, with the socket error as `cause`), is aborted by
 *   `disconnect()` (`HB_ERR_TRANSPORT`) or by `close()` (`HB_ERR_TRANSPORT_CLOSED`);
 * - link-down is reported exactly once per opened connection, never after
 *   `close()`, and never for a connection replaced by a second `connect()`;
 * - `disconnect()` drops the open connection (link-down reported before it
 *   returns) or aborts a pending attempt; `close()` destroys every socket and
 *   resolves once the OS released them all.
 *
 * ```
 *   idle ──connect()──▶ connecting ──opened──▶ connected ──broken / disconnect()──▶ idle (link-down)
 *     ▲                     │ failed / aborted                                      (ready to connect again)
 *     └─────────────────────┘                       close() from any state ──▶ closed
 * ```
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'
import type { ClientTransport, ClientTransportHandler, TransportStartOptions } from './transport.js'

/** Where a connection client is in its life. */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'closed'

/** What the adapter's socket reports, for one connection attempt. Each call is ignored once it no longer applies. */
export interface ConnectionEvents {
  /** The attempt succeeded: the connection can carry frames. */
  opened(): void
  /** One complete inbound frame (an ack), with any transport framing removed. */
  frame(bytes: Uint8Array): void
  /**
   * The connection can no longer be used (the server ended it, broke the
   * framing, or an error occurred). Reported as link-down if it was open; the
   * socket is destroyed. `released` must still follow.
   */
  broken(error: Error): void
  /** The OS let go of the socket (its `close`): always called once, last. */
  released(error?: Error): void
}

/** What an adapter supplies to {@link createClientConnection}. */
export interface ClientConnectionOptions<Socket> {
  /** The transport's name, for messages (`tcp`, `ws`). */
  readonly name: string
  /** Where it connects, for messages (`127.0.0.1:7947`, `ws://…`). Never contains secrets. */
  readonly target: string
  /** Starts one connection attempt; the socket reports through `events`. May throw (reported as a failed connect). */
  open(events: ConnectionEvents, options: TransportStartOptions): Socket
  /** Writes one frame; resolves once handed to the OS, rejects on a failed write. */
  write(socket: Socket, bytes: Uint8Array): Promise<void>
  /** Destroys the socket now (abort, disconnect, close). Idempotent; `released` follows. */
  destroy(socket: Socket): void
}

/** The part of a `ClientTransport` the lifecycle implements. */
export interface ClientConnection extends Pick<ClientTransport, 'connect' | 'send' | 'close'> {
  disconnect(): void
  readonly state: ClientState
}

interface Attempt<Socket> {
  socket: Socket | undefined
  open: boolean
  /** True once this attempt no longer reports anything (link-down reported, replaced, closed). */
  done: boolean
  released: Promise<void>
}

/** Creates the lifecycle of one connection client (see the file comment). */
export function createClientConnection<Socket>(options: ClientConnectionOptions<Socket>): ClientConnection {
  const { name, target } = options
  let closed = false
  let closing: Promise<void> | undefined
  let current: Attempt<Socket> | undefined
  let pending: Attempt<Socket> | undefined
  const live = new Set<Attempt<Socket>>()

  const notConnected = (): HeartbeatError => new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `${name}: not connected to ${target}`)

  function destroy(attempt: Attempt<Socket>): void {
    if (attempt.socket !== undefined) options.destroy(attempt.socket)
  }

  /** Ends an open connection and reports link-down once (never after close()). */
  function down(attempt: Attempt<Socket>, handler: ClientTransportHandler, error: Error): void {
    if (attempt.done) return
    attempt.done = true
    attempt.open = false
    if (current === attempt) current = undefined
    destroy(attempt)
    if (!closed) handler.onLinkDown(error)
  }

  function attemptConnect(handler: ClientTransportHandler, startOptions: TransportStartOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let release!: () => void
      const attempt: Attempt<Socket> = { socket: undefined, open: false, done: false, released: new Promise((r) => (release = r)) }
      let settled = false
      let aborted: HeartbeatError | undefined
      const fail = (error: HeartbeatError): void => {
        if (settled) return
        settled = true
        if (pending === attempt) pending = undefined
        attempt.done = true
        reject(error)
      }
      const events: ConnectionEvents = {
        opened() {
          if (settled || attempt.done) return
          // Opened after disconnect() or close() asked for the attempt to end, before the destroy took
          // effect: the promise made to the caller stands, so connect() rejects and the socket goes.
          if (aborted !== undefined || closed) {
            fail(aborted ?? notConnected())
            destroy(attempt)
            return
          }
          settled = true
          if (pending === attempt) pending = undefined
          attempt.open = true
          current = attempt
          resolve()
        },
        frame(bytes) {
          if (attempt.open && !attempt.done && !closed) handler.onFrame(bytes)
        },
        broken(error) {
          if (attempt.open) down(attempt, handler, wrap(error, `${name}: connection to ${target} broken`))
          else {
            // A socket destroyed by close() may report an error first (ws does): still the close's rejection.
            fail(aborted ?? (closed ? notConnected() : wrap(error, `${name}: cannot connect to ${target}`)))
            destroy(attempt)
          }
        },
        released(error) {
          live.delete(attempt)
          if (attempt.open) down(attempt, handler, wrap(error, `${name}: connection to ${target} lost`))
          else if (closed) fail(notConnected())
          else fail(aborted ?? new HeartbeatError('HB_ERR_TRANSPORT', `${name}: cannot connect to ${target}`, error === undefined ? undefined : { cause: error }))
          release()
        },
      }
      live.add(attempt)
      pending = attempt
      attemptAbort.set(attempt, (error) => {
        aborted = error
        destroy(attempt)
      })
      try {
        attempt.socket = options.open(events, startOptions)
      } catch (error) {
        live.delete(attempt)
        release()
        fail(wrap(error, `${name}: cannot connect to ${target}`))
      }
    })
  }

  const attemptAbort = new WeakMap<Attempt<Socket>, (error: HeartbeatError) => void>()
  let handlerOfCurrent: ClientTransportHandler | undefined

  return {
    get state(): ClientState {
      if (closed) return 'closed'
      if (current !== undefined) return 'connected'
      return pending !== undefined ? 'connecting' : 'idle'
    },
    connect(handler, startOptions) {
      if (closed) return Promise.reject(notConnected())
      if (pending !== undefined) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', `${name}: a connect() is already pending`))
      // The beater connects again only after link-down; a stray second call
      // replaces the current connection without reporting it.
      const previous = current
      if (previous !== undefined) {
        previous.done = true
        previous.open = false
        current = undefined
        destroy(previous)
      }
      handlerOfCurrent = handler
      return attemptConnect(handler, startOptions)
    },
    send(bytes) {
      const attempt = current
      if (closed || attempt === undefined || !attempt.open || attempt.socket === undefined) return Promise.reject(notConnected())
      return options.write(attempt.socket, bytes).catch((error: unknown) => {
        throw wrap(error, `${name}: write to ${target} failed`)
      })
    },
    disconnect() {
      if (closed) return
      const attempt = current
      if (attempt !== undefined && handlerOfCurrent !== undefined) {
        // Reported now, not when the socket closes: the caller expects the link gone when this returns.
        down(attempt, handlerOfCurrent, new HeartbeatError('HB_ERR_TRANSPORT', `${name}: disconnected from ${target}`))
        return
      }
      // A connect taking too long (the beater's connect deadline): abort it; connect() rejects.
      if (pending !== undefined) attemptAbort.get(pending)?.(new HeartbeatError('HB_ERR_TRANSPORT', `${name}: connect to ${target} aborted`))
    },
    close() {
      closing ??= (async () => {
        closed = true
        current = undefined
        for (const attempt of live) {
          attempt.open = false
          destroy(attempt)
        }
        await Promise.all([...live].map((attempt) => attempt.released))
      })()
      return closing
    },
  }
}

function wrap(error: unknown, message: string): HeartbeatError {
  if (HeartbeatError.isInstance(error)) return error
  return new HeartbeatError('HB_ERR_TRANSPORT', message, error === undefined ? undefined : { cause: error })
}
