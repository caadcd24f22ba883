/**
 * An in-memory transport: a zero-latency network for tests of the monitor and
 * beater with a fake clock. Frames are delivered synchronously, so a frame
 * sent at fake time t is received at fake time t and deadlines can be
 * asserted exactly. Opening a link takes one microtask, as a real connect is
 * asynchronous, so a `disconnect()` or `close()` can catch it pending.
 *
 * It keeps the whole seam (it passes `transportConformance` in both kinds)
 * because it is built on the same kit as the real adapters: the server on
 * `createServerLifecycle`, the connection client on `createClientConnection`.
 */
import { HeartbeatError } from '../errors/heartbeat-error.js'
import { createClientConnection } from '../adapter/client-connection.js'
import type { ConnectionEvents } from '../adapter/client-connection.js'
import { createServerLifecycle } from '../adapter/server-lifecycle.js'
import type { ClientTransport, FrameEncoding, Link, ServerTransport, ServerTransportHandler } from '../adapter/transport.js'

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

/** The client end of one memory connection, as the connection kit sees its socket. */
interface MemorySocket {
  readonly events: ConnectionEvents
  link: MemoryLink | undefined
  destroyed: boolean
}

interface MemoryLink extends Link {
  /** Ends the link from the server side: link-down on the server, then on the client. */
  drop(): void
}

let pairs = 0
/** Ports of memory servers listening now, so a second server on one fails as a real bind would. */
const listeningPorts = new Set<number>()

/** Creates a server transport and its clients, connected by memory (see the file comment). */
export function createMemoryTransportPair(options: MemoryTransportOptions = {}): MemoryTransportPair {
  const kind = options.kind ?? 'connection'
  const encoding = options.encoding ?? 'binary'
  const port = options.port ?? ++pairs
  let handler: ServerTransportHandler | undefined
  let maxFrameBytes = Infinity
  let partitioned = false
  let nextLinkId = 1
  let nextClient = 1

  const lifecycle = createServerLifecycle({
    name: 'memory',
    listen(h, startOptions) {
      if (listeningPorts.has(port)) return Promise.reject(new HeartbeatError('HB_ERR_TRANSPORT', `memory: port ${port} is in use`))
      listeningPorts.add(port)
      handler = h
      maxFrameBytes = startOptions.maxFrameBytes
      return Promise.resolve({ host: 'memory', port, family: 'memory' })
    },
    release() {
      listeningPorts.delete(port)
      handler = undefined
      return Promise.resolve()
    },
  })
  const listening = (): boolean => lifecycle.state === 'listening'

  function deliverToServer(bytes: Uint8Array, remoteAddress: string, link: Link | undefined, reply: (b: Uint8Array) => void) {
    options.tap?.('to-server', bytes)
    if (partitioned || handler === undefined || !listening()) return undefined
    if (bytes.length > maxFrameBytes) {
      handler.onRejected({ reason: 'too-large', remoteAddress, detail: `${bytes.length} bytes` })
      return undefined
    }
    return handler.onFrame({ bytes: bytes.slice(), remoteAddress, link, reply })
  }

  /** Whether a frame crosses towards a client (the tap sees it either way). */
  const crosses = (bytes: Uint8Array): boolean => {
    options.tap?.('to-client', bytes)
    return !partitioned
  }

  const server: ServerTransport = {
    name: 'memory',
    kind,
    start: (h, startOptions) => lifecycle.start(h, startOptions),
    address: () => lifecycle.address(),
    close: () => lifecycle.close(),
  }

  /** Opens the server end of a connection whose client end is `socket`; false if refused. */
  function accept(socket: MemorySocket, remoteAddress: string): boolean {
    const h = handler
    if (h === undefined || !listening()) return false
    let up = true
    const link: MemoryLink = {
      id: nextLinkId++,
      remoteAddress,
      send(bytes) {
        if (up && crosses(bytes)) socket.events.frame(bytes.slice())
      },
      close: () => link.drop(),
      drop() {
        if (!up) return
        up = false
        lifecycle.removeLink(link)
        h.onLinkDown(link)
        socket.events.broken(new HeartbeatError('HB_ERR_TRANSPORT', 'memory: the server closed the link'))
        release(socket)
      },
    }
    socket.link = link
    socket.events.opened()
    h.onLinkUp(link)
    // A server closing meanwhile takes no new link: it is dropped at once, as a real one would be.
    if (!lifecycle.addLink(link)) link.drop()
    return true
  }

  function release(socket: MemorySocket): void {
    if (socket.destroyed) return
    socket.destroyed = true
    socket.link?.drop()
    socket.events.released()
  }

  function createConnectionClient(remoteAddress: string): MemoryClientTransport {
    const connection = createClientConnection<MemorySocket>({
      name: 'memory',
      target: `memory:${port}`,
      open(events) {
        const socket: MemorySocket = { events, link: undefined, destroyed: false }
        queueMicrotask(() => {
          if (socket.destroyed || accept(socket, remoteAddress)) return
          // A plain error, as a socket gives: the kit wraps it in HB_ERR_TRANSPORT with it as the cause.
          events.broken(new Error(`memory: connection refused on port ${port}`))
          release(socket)
        })
        return socket
      },
      write(socket, bytes) {
        const link = socket.link
        if (link !== undefined) deliverToServer(bytes, remoteAddress, link, (reply) => link.send(reply))
        return Promise.resolve()
      },
      destroy: release,
    })
    return {
      name: 'memory',
      kind,
      encoding,
      get connected() {
        return connection.state === 'connected'
      },
      connect: (h, startOptions) => connection.connect(h, startOptions),
      send: (bytes) => connection.send(bytes),
      disconnect: () => connection.disconnect(),
      close: () => connection.close(),
    }
  }

  function createDatagramClient(remoteAddress: string): MemoryClientTransport {
    let onFrame: ((bytes: Uint8Array) => void) | undefined
    let closed = false
    const toClient = (bytes: Uint8Array): void => {
      // A reply after the server closed goes nowhere, as from a released socket.
      if (listening() && crosses(bytes) && !closed) onFrame?.(bytes.slice())
    }
    return {
      name: 'memory',
      kind,
      encoding,
      get connected() {
        return onFrame !== undefined && !closed
      },
      async connect(h) {
        if (closed) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'memory: client is closed')
        onFrame = (bytes) => h.onFrame(bytes)
      },
      async send(bytes) {
        if (closed) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'memory: client is closed')
        if (onFrame === undefined) throw new HeartbeatError('HB_ERR_TRANSPORT_CLOSED', 'memory: not connected')
        deliverToServer(bytes, remoteAddress, undefined, toClient)
      },
      async close() {
        closed = true
      },
    }
  }

  function createClient(): MemoryClientTransport {
    const remoteAddress = `memory:${port}.${nextClient++}`
    return kind === 'connection' ? createConnectionClient(remoteAddress) : createDatagramClient(remoteAddress)
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
