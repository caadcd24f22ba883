/**
 * An in-memory transport: a zero-latency network for tests of the monitor and
 * beater with a fake clock. Delivery is synchronous, so a frame sent at fake
 * time t is received at fake time t and deadlines can be asserted exactly.
 *
 * It behaves like a real adapter where the core can tell: bytes are copied,
 * oversize frames are refused (`too-large`), sends after `close()` reject with
 * `HB_ERR_TRANSPORT_CLOSED`, connection links report link-down on both sides.
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'
import type {
  ClientTransport,
  ClientTransportHandler,
  FrameEncoding,
  Link,
  ServerTransport,
  ServerTransportHandler,
  TransportAddress,
} from '../adapter/transport.js'

export interface MemoryTransportOptions {
  /** `connection` (links, link-down; the default) or `datagram` (no links). */
  kind?: 'connection' | 'datagram'
  /** The encoding clients send. Default `binary`. */
  encoding?: FrameEncoding
  /** The number `address().port` reports. Default: a fresh one per pair. */
  port?: number
  /** Sees every frame that crosses the network, e.g. to capture one for a replay test. */
  tap?: (direction: 'to-server' | 'to-client', bytes: Uint8Array) => void
}

export interface MemoryTransportPair {
  /** The port number of this pair's server, as `address()` reports it once started. */
  readonly port: number
  readonly server: ServerTransport
  /** The first client. */
  readonly client: MemoryClientTransport
  /** Another client of the same server. */
  createClient(): MemoryClientTransport
  /** While partitioned, frames are silently lost both ways but links stay up (a half-open network). */
  setPartitioned(partitioned: boolean): void
  /** Delivers raw bytes to the server as from a fresh, link-less sender; returns the core's verdict. */
  inject(bytes: Uint8Array, remoteAddress?: string): ReturnType<ServerTransportHandler['onFrame']> | undefined
}

export interface MemoryClientTransport extends ClientTransport {
  /** True while connected (connection kind) or bound (datagram kind). */
  readonly connected: boolean
}

let pairs = 0

export function createMemoryTransportPair(options: MemoryTransportOptions = {}): MemoryTransportPair {
  const kind = options.kind ?? 'connection'
  const encoding = options.encoding ?? 'binary'
  const port = options.port ?? ++pairs
  let handler: ServerTransportHandler | undefined
  let maxFrameBytes = Infinity
  let serverState: 'idle' | 'listening' | 'closed' = 'idle'
  let partitioned = false
  let nextLinkId = 1
  let nextClient = 1
  const links = new Set<MemoryLink>()

  interface MemoryLink extends Link {
    down(notifyClient: boolean): void
  }

  const copy = (bytes: Uint8Array): Uint8Array => bytes.slice()

  function deliverToServer(bytes: Uint8Array, remoteAddress: string, link: Link | undefined, reply: (b: Uint8Array) => void) {
    options.tap?.('to-server', bytes)
    if (partitioned || handler === undefined || serverState !== 'listening') return undefined
    if (bytes.length > maxFrameBytes) {
      handler.onRejected({ reason: 'too-large', remoteAddress, detail: `${bytes.length} bytes` })
      return undefined
    }
    return handler.onFrame({ bytes: copy(bytes), remoteAddress, link, reply })
  }

  const server: ServerTransport = {
    name: 'memory',
    kind,
    async start(h, startOptions) {
      if (serverState !== 'idle') throw new HeartbeatError('HB_ERR_TRANSPORT', 'memory server already started')
      handler = h
      maxFrameBytes = startOptions.maxFrameBytes
      serverState = 'listening'
    },
    address(): TransportAddress | null {
      return serverState === 'listening' ? { host: 'memory', port, family: 'memory' } : null
    },
    async close() {
      if (serverState === 'closed') return
      serverState = 'closed'
      for (const link of [...links]) link.down(true)
      handler = undefined
    },
  }

  function createClient(): MemoryClientTransport {
    const remoteAddress = `memory:${port}.${nextClient++}`
    let clientHandler: ClientTransportHandler | undefined
    let link: MemoryLink | undefined
    let bound = false
    let closed = false

    const toClient = (bytes: Uint8Array): void => {
      options.tap?.('to-client', bytes)
      if (!partitioned && !closed) clientHandler?.onFrame(copy(bytes))
    }

    const client: MemoryClientTransport = {
      name: 'memory',
      kind,
      encoding,
      get connected() {
        return kind === 'connection' ? link !== undefined : bound
      },
      async connect(h) {
        if (closed) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'transport is closed')
        if (serverState !== 'listening') throw new HeartbeatError('HB_ERR_TRANSPORT', 'connection refused')
        clientHandler = h
        if (kind === 'datagram') {
          bound = true
          return
        }
        const current: MemoryLink = {
          id: nextLinkId++,
          remoteAddress,
          send: (bytes) => {
            if (link === current) toClient(bytes)
          },
          close: () => current.down(true),
          down(notifyClient) {
            if (!links.delete(current)) return
            if (link === current) link = undefined
            handler?.onLinkDown(current)
            if (notifyClient && !closed) clientHandler?.onLinkDown(new Error('link closed'))
          },
        }
        link = current
        links.add(current)
        handler?.onLinkUp(current)
      },
      async send(bytes) {
        if (closed) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'transport is closed')
        if (kind === 'datagram') {
          if (!bound) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'not connected')
          deliverToServer(bytes, remoteAddress, undefined, toClient)
          return
        }
        const current = link
        if (current === undefined) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'not connected')
        deliverToServer(bytes, remoteAddress, current, (reply) => current.send(reply))
      },
      disconnect() {
        link?.down(true)
      },
      async close() {
        if (closed) return
        closed = true
        bound = false
        link?.down(false)
      },
    }
    return client
  }

  return {
    port,
    server,
    client: createClient(),
    createClient,
    setPartitioned(value) {
      partitioned = value
    },
    inject(bytes, remoteAddress = 'memory:injected') {
      return deliverToServer(bytes, remoteAddress, undefined, () => {})
    },
  }
}
