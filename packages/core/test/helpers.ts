import { createMonitor } from '../src/index.js'
import { signFrame } from '../src/protocol.js'
import type { FrameFields } from '../src/protocol.js'
import type { ClientTransport, MonitorOptions } from '../src/index.js'
import { createFakeClock, createMemoryTransportPair } from '../src/testing/index.js'
import type { FakeClock, MemoryTransportOptions } from '../src/testing/index.js'

export const SECRET = 'test-secret'
export const SECRET_BYTES = new TextEncoder().encode(SECRET)

/** A monitor on a fake clock and a memory transport, recording every event as "time event id [reason]". */
export function setup(options: Partial<MonitorOptions> = {}, transport: MemoryTransportOptions = {}) {
  const clock = createFakeClock(0)
  const pair = createMemoryTransportPair(transport)
  // A detector carries its own timeout: the default timeoutMs only without one.
  const timing = options.detector === undefined ? { timeoutMs: 1000 } : {}
  const monitor = createMonitor({ secret: SECRET, ...timing, clock, transports: [pair.server], ...options })
  const events: string[] = []
  const rejected: string[] = []
  monitor.on('online', (p) => events.push(`${clock.now()} online ${p.id}`))
  monitor.on('offline', (p, reason) => events.push(`${clock.now()} offline ${p.id} ${reason}`))
  monitor.on('suspect', (p) => events.push(`${clock.now()} suspect ${p.id}`))
  monitor.on('recover', (p) => events.push(`${clock.now()} recover ${p.id}`))
  monitor.on('rejected', (info) => rejected.push(info.reason))
  let seq = 0
  /** A signed frame from peer `peerId`, fresh by the fake wall clock, with the next sequence number. */
  const frame = (fields: Partial<FrameFields> = {}, key: Uint8Array = SECRET_BYTES, encoding: 'binary' | 'json' = 'binary') =>
    signFrame(
      { type: 'beat', peerId: 'p1', keyId: '', incarnation: 1, seq: ++seq, timestampMs: clock.wallNow(), ...fields },
      key,
      encoding,
    )
  const beat = (peerId = 'p1', fields: Partial<FrameFields> = {}) => pair.inject(frame({ peerId, ...fields }))
  return { clock, pair, monitor, events, rejected, frame, beat }
}

/** `client` with every inbound frame (an ack) delivered `delayMs` late on the fake clock: a round trip that takes time. */
export function delayedInbound(client: ClientTransport, clock: FakeClock, delayMs: number): ClientTransport {
  return {
    name: client.name,
    kind: client.kind,
    encoding: client.encoding,
    connect: (handler, options) =>
      client.connect(
        {
          onFrame(bytes) {
            const copy = bytes.slice()
            clock.setTimeout(() => handler.onFrame(copy), delayMs)
          },
          onLinkDown: (error) => handler.onLinkDown(error),
        },
        options,
      ),
    send: (bytes) => client.send(bytes),
    close: () => client.close(),
  }
}
