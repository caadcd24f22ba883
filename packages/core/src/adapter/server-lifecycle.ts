/**
 * The lifecycle every server transport shares, written once: an adapter
 * supplies `listen` (bind its socket) and `release` (unbind it), and gets
 * `start`, `address` and `close` that keep every promise of the seam
 * (`transport.ts`): one start, no start after close, a close during start
 * that undoes the bind, an idempotent close that reports every link down
 * before the port is released.
 *
 * ```
 *   idle ──start()──▶ starting ──bound──▶ listening ──close()──▶ closing ──▶ closed
 *     ▲                  │  │                                       ▲
 *     └── bind failed ───┘  └──────────── close() (abort) ──────────┘
 * ```
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'
import type { Link, ServerTransport, ServerTransportHandler, TransportAddress, TransportStartOptions } from './transport.js'

/** Where a server transport is in its life. */
export type ServerState = 'idle' | 'starting' | 'listening' | 'closing' | 'closed'

/** What an adapter supplies to {@link createServerLifecycle}. */
export interface ServerLifecycleOptions {
  /** The transport's name, used in error messages (`tcp: server is closed`). */
  readonly name: string
  /**
   * Binds the socket and starts delivering frames to `handler`; resolves with
   * the bound address. Called once per `start()`; a rejection (any error) is
   * wrapped in `HB_ERR_TRANSPORT` and leaves the server `idle`.
   */
  listen(handler: ServerTransportHandler, options: TransportStartOptions): Promise<TransportAddress>
  /**
   * Undoes a successful `listen`: stop listening and release the port. Called
   * once, by `close()`, after every tracked link was closed. Must not reject.
   */
  release(): Promise<void>
}

/** The part of a `ServerTransport` the lifecycle implements, plus link tracking. */
export interface ServerLifecycle extends Pick<ServerTransport, 'start' | 'address' | 'close'> {
  readonly state: ServerState
  /** True once `close()` was called: an adapter refuses new connections then. */
  readonly closing: boolean
  /**
   * Tracks a link that is up, so `close()` closes it (and the adapter reports
   * `onLinkDown`) before the port is released. Returns false when the server
   * is closing: the adapter must then close the link itself.
   */
  addLink(link: Pick<Link, 'close'>): boolean
  /** Stops tracking a link that went down. */
  removeLink(link: Pick<Link, 'close'>): void
  /** How many links are up. */
  readonly linkCount: number
}

/** Creates the lifecycle of one server transport (see the file comment for the states). */
export function createServerLifecycle(options: ServerLifecycleOptions): ServerLifecycle {
  const { name } = options
  let state: ServerState = 'idle'
  let bound: TransportAddress | null = null
  let starting: Promise<void> | undefined
  let closing: Promise<void> | undefined
  /** True once `listen` succeeded: only then is there something to release. */
  let listened = false
  const links = new Set<Pick<Link, 'close'>>()

  async function start(handler: ServerTransportHandler, startOptions: TransportStartOptions): Promise<void> {
    let address: TransportAddress
    try {
      address = await options.listen(handler, startOptions)
    } catch (error) {
      if (state === 'starting') state = 'idle'
      if (closing !== undefined) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `${name}: server closed while starting`, { cause: error })
      throw HeartbeatError.isInstance(error) && error.code === 'HB_ERR_TRANSPORT'
        ? error
        : new HeartbeatError('HB_ERR_TRANSPORT', `${name}: cannot listen`, { cause: error })
    }
    listened = true
    if (closing !== undefined) {
      // close() was called while binding: it releases the port once this settles.
      throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `${name}: server closed while starting`)
    }
    bound = address
    state = 'listening'
  }

  const lifecycle: ServerLifecycle = {
    get state() {
      return state
    },
    get closing() {
      return closing !== undefined
    },
    get linkCount() {
      return links.size
    },
    start(handler, startOptions) {
      if (closing !== undefined) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', `${name}: server is closed`))
      if (state !== 'idle') return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', `${name}: server already started`))
      state = 'starting'
      const attempt = start(handler, startOptions)
      starting = attempt.then(
        () => undefined,
        () => undefined,
      )
      return attempt
    },
    address() {
      return bound
    },
    close() {
      closing ??= (async () => {
        state = 'closing'
        bound = null
        await starting
        // Every link is reported down (by the adapter, from link.close()) before the port goes.
        for (const link of [...links]) link.close()
        links.clear()
        if (listened) await options.release()
        state = 'closed'
      })()
      return closing
    },
    addLink(link) {
      if (closing !== undefined) return false
      links.add(link)
      return true
    },
    removeLink(link) {
      links.delete(link)
    },
  }
  return lifecycle
}
