/**
 * Integration tests of an adapter, exact in time: a monitor and beaters on one
 * fake clock over the adapter's real sockets. Time moves only when the test
 * says so; bytes move for real. `advance()` moves the clock one beat interval
 * at a time and waits (with a deadline, never a sleep) until every beat it
 * caused was acked, so the monitor heard it before time moves on.
 *
 * ```ts
 * const bed = createTestbed({ secret: 'test', intervalMs: 1000 })
 * const { monitor, address } = await bed.startMonitor(createTcpServer({ host: '127.0.0.1', port: 0 }), { timeoutMs: 3000 })
 * bed.beat('peer-1', createTcpClient(address))
 * await bed.advance(5000)
 * await bed.close()
 * ```
 */
import type { Link, ServerTransport, TransportAddress } from '../adapter/transport.js'
import type { ClientTransport } from '../adapter/transport.js'
import { createBeater } from '../beater/beater.js'
import type { Beater, BeaterOptions } from '../beater/beater.js'
import { createMonitor } from '../monitor/monitor.js'
import type { Monitor, MonitorOptions } from '../monitor/monitor.js'
import { createFakeClock } from './fake-clock.js'
import type { FakeClock } from './fake-clock.js'
import { recordMonitorEvents } from './monitor-recorder.js'
import type { MonitorRecorder, RecordedEvent } from './monitor-recorder.js'
import { createWaiter } from './waiter.js'

export interface TestbedOptions {
  /** The shared secret of the monitor and every beater. */
  readonly secret: string
  /** How often every beater beats (no jitter), on the fake clock. */
  readonly intervalMs: number
  /** How long to wait for the acks of one step, in real time. Default 5000. */
  readonly waitMs?: number
  /** Which monitor events `startMonitor` records. Default `online`, `offline`, `rejected`. */
  readonly events?: readonly RecordedEvent[]
}

export interface Testbed {
  readonly clock: FakeClock
  /** A started monitor serving `transport`, its events recorded (`TestbedOptions.events`). */
  startMonitor(transport: ServerTransport, options?: Partial<MonitorOptions>): Promise<MonitorRecorder & { monitor: Monitor; address: TransportAddress }>
  /**
   * A started beater over `transport`: every `intervalMs`, every frame asking
   * for an ack (the testbed waits on acks), reconnecting after exactly half
   * the first backoff cap (250 ms with the default reconnect options).
   */
  beat(id: string, transport: ClientTransport, options?: Partial<BeaterOptions>): { beater: Beater; stop: () => Promise<void> }
  /** Moves the clock by `ms`, one interval at a time, waiting for each step's acks. */
  advance(ms: number): Promise<void>
  /** Resolves once every running beater's frames were all acked. */
  untilAcked(what: string): Promise<void>
  /** Stops every beater and monitor it started, last started first. */
  close(): Promise<unknown>
}

export function createTestbed(options: TestbedOptions): Testbed {
  const { secret, intervalMs } = options
  const waitMs = options.waitMs ?? 5000
  const clock = createFakeClock()
  const beaters = new Set<Beater>()
  const acks = createWaiter()
  const stops: (() => Promise<unknown>)[] = []

  function untilAcked(what: string): Promise<void> {
    return acks.until(() => [...beaters].every((b) => b.stats().acked === b.stats().sent), what, waitMs)
  }

  return {
    clock,
    async startMonitor(transport, monitorOptions = {}) {
      const monitor = createMonitor({ secret, clock, transports: [transport], ...monitorOptions })
      stops.push(() => monitor.close())
      const recorder = recordMonitorEvents(monitor, options.events ?? ['online', 'offline', 'rejected'])
      await monitor.start()
      const address = transport.address()
      if (address === null) throw new Error(`${transport.name}: no address after start`)
      return { monitor, ...recorder, address }
    },
    beat(id, transport, beaterOptions = {}) {
      const beater = createBeater({
        id,
        secret,
        clock,
        transport,
        intervalMs,
        jitter: 0,
        ackEvery: 1,
        // Backoff draws from [0, cap): half the cap, so reconnects land at exact times.
        random: () => 0.5,
        ...beaterOptions,
      })
      for (const event of ['ack', 'connect', 'disconnect'] as const) beater.on(event, acks.notify)
      beaters.add(beater)
      const stop = beater.start()
      const stopped = (): Promise<void> => (beaters.delete(beater), stop({ bye: false }))
      stops.push(stopped)
      return { beater, stop: stopped }
    },
    async advance(ms) {
      for (let left = ms; left > 0; left -= intervalMs) {
        clock.advance(Math.min(left, intervalMs))
        await untilAcked(`the acks of the beats at ${clock.now()} ms`)
      }
    },
    untilAcked,
    close: () => Promise.allSettled(stops.splice(0).reverse().map((fn) => fn())),
  }
}

/**
 * Passes a server transport through, recording the links the core sees come
 * up and go down, synchronously: a deadline that closes a link does so inside
 * `clock.advance()`, so a test can assert the exact millisecond.
 */
export function watchLinks(transport: ServerTransport): {
  transport: ServerTransport
  up: Link[]
  down: Link[]
  until: (condition: () => boolean, what: string) => Promise<void>
} {
  const up: Link[] = []
  const down: Link[] = []
  const waiter = createWaiter()
  return {
    up,
    down,
    until: waiter.until,
    transport: {
      name: transport.name,
      kind: transport.kind,
      address: () => transport.address(),
      close: () => transport.close(),
      start: (handler, startOptions) =>
        transport.start(
          {
            onFrame: (frame) => handler.onFrame(frame),
            onLinkUp(link) {
              up.push(link)
              handler.onLinkUp(link)
              waiter.notify()
            },
            onLinkDown(link) {
              down.push(link)
              handler.onLinkDown(link)
              waiter.notify()
            },
            onRejected: (rejection) => handler.onRejected(rejection),
          },
          startOptions,
        ),
    },
  }
}
