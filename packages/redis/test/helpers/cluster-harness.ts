/**
 * Several monitors, each with its presence, in one test process, on one fake
 * clock and one real Redis; the scripts take their time from the fake clock
 * (`clusterNow`), so every cluster deadline is exact. Peers are beaters whose
 * frames can be routed to any monitor. `step(ms)` advances time tick by tick,
 * letting every reachable presence finish its Redis work at each tick, and
 * records every presence event with the fake time it happened at.
 */
import { createBeater, createMonitor } from '@hb/core'
import type { Beater, Monitor, StopFunction } from '@hb/core'
import { createFakeClock, createMemoryTransportPair, settle } from '@hb/core/testing'
import type { FakeClock, MemoryTransportPair } from '@hb/core/testing'
import { createClient } from 'redis'
import { readPeer } from '../../src/core-hooks.js'
import { createRedisPresence } from '../../src/index.js'
import type { RedisPresence } from '../../src/index.js'
import type { RedisLike } from '../../src/redis-connection.js'
import type { RedisServer } from '@hb/test-redis'
import type { RoutedTransport } from './routed-transport.js'
import { createRoutedTransport } from './routed-transport.js'
import type { TcpProxy } from './tcp-proxy.js'
import { startTcpProxy } from './tcp-proxy.js'

export const SECRET = 'presence-test-secret-0123456789abcdef'
const CLUSTER_BASE_MS = 1_800_000_000_000

export interface ClusterEvent {
  readonly atMs: number
  readonly process: number
  readonly type: 'online' | 'offline'
  readonly id: string
  readonly reason?: string
  /** The peer's last beat heard by any monitor, as of this event. */
  readonly lastBeatMs: number
}

export interface HarnessOptions {
  /** One Redis, reached by each process through its own cuttable proxy. */
  server?: RedisServer
  /**
   * Or: each process connects by itself (a Redis Cluster client): no proxies,
   * so no `cut`/`heal`; `kill` destroys the process's client.
   */
  connect?: (process: number) => Promise<RedisLike>
  processes: number
  timeoutMs: number
  leaseMs: number
  intervalMs: number
  namespace: string
  buckets?: number
}

const connectClient = (url: string) => createClient({ url, socket: { reconnectStrategy: () => 20 } })
/** What the harness needs of a client it made or was given. */
type Client = Pick<RedisLike, 'destroy'> & { close(): Promise<unknown> }

export interface Harness {
  readonly clock: FakeClock
  readonly monitors: Monitor[]
  readonly presences: RedisPresence[]
  readonly clients: Client[]
  readonly proxies: TcpProxy[]
  /** Cluster events in the order they happened. */
  readonly events: ClusterEvent[]
  /** Per peer: the latest `lastSeenMs` any monitor had for it (true last beat heard anywhere). */
  readonly lastBeat: Map<string, number>
  /** Every frame sent to each monitor, in order (to capture one for a replay). */
  readonly frames: Uint8Array[][]
  /** Delivers raw bytes to monitor i as from a fresh sender; returns the monitor's verdict. */
  inject(i: number, bytes: Uint8Array): { accepted: boolean; reason?: string } | undefined
  /** Processes whose Redis link is cut or that were killed: not waited on. */
  readonly unreachable: Set<number>
  addPeer(id: string, monitor: number): Promise<void>
  move(id: string, monitor: number): void
  /** Stops a peer without bye (it just goes silent). */
  silence(id: string): Promise<void>
  /** Stops a peer with bye. */
  bye(id: string): Promise<void>
  step(ms: number): Promise<void>
  /** Waits until every reachable presence finished its Redis work. */
  flushAll(): Promise<void>
  /** Cuts process i off from Redis (its monitor keeps running). */
  cut(i: number): void
  heal(i: number): void
  /** Process i dies: its monitor stops hearing anyone and it never talks to Redis again. */
  kill(i: number): Promise<void>
  close(): Promise<void>
}

export async function createHarness(options: HarnessOptions): Promise<Harness> {
  const clock = createFakeClock()
  const pairs: MemoryTransportPair[] = []
  const monitors: Monitor[] = []
  const presences: RedisPresence[] = []
  const clients: Client[] = []
  const proxies: TcpProxy[] = []
  const events: ClusterEvent[] = []
  const lastBeat = new Map<string, number>()
  const unreachable = new Set<number>()
  const killed = new Set<number>()
  const destroyed = new Set<number>()
  const peers = new Map<string, { beater: Beater; routed: RoutedTransport; stop: StopFunction }>()
  const tickMs = Math.max(10, Math.round(options.timeoutMs / 30))
  const frames: Uint8Array[][] = []

  for (let i = 0; i < options.processes; i++) {
    const sent: Uint8Array[] = []
    frames.push(sent)
    const pair = createMemoryTransportPair({ kind: 'datagram', tap: (direction, bytes) => direction === 'to-server' && sent.push(bytes.slice()) })
    pairs.push(pair)
    const monitor = createMonitor({ secret: SECRET, timeoutMs: options.timeoutMs, tickMs, clock, transports: [pair.server], acks: false })
    await monitor.start()
    monitors.push(monitor)
    let redis: RedisLike
    if (options.connect !== undefined) redis = await options.connect(i)
    else if (options.server !== undefined) {
      const proxy = await startTcpProxy(options.server.port)
      proxies.push(proxy)
      const client = connectClient(proxy.url)
      client.on('error', () => {})
      await client.connect()
      redis = client
    } else throw new Error('the harness needs a server or connect')
    clients.push(redis as unknown as Client)
    const presence = createRedisPresence({
      redis,
      monitor,
      namespace: options.namespace,
      timeoutMs: options.timeoutMs,
      leaseMs: options.leaseMs,
      buckets: options.buckets ?? 64,
      name: `m${i}`,
      clock,
      clusterNow: () => CLUSTER_BASE_MS + clock.now(),
    })
    const lastBeatMs = (id: string): number => lastBeat.get(id) ?? -Infinity
    presence.on('online', (peer) => events.push({ atMs: clock.now(), process: i, type: 'online', id: peer.id, lastBeatMs: lastBeatMs(peer.id) }))
    presence.on('offline', (peer, reason) => {
      events.push({ atMs: clock.now(), process: i, type: 'offline', id: peer.id, reason, lastBeatMs: lastBeatMs(peer.id) })
    })
    presences.push(presence)
  }
  await Promise.all(presences.map((p) => p.start()))

  const reachable = (): RedisPresence[] => presences.filter((_, i) => !unreachable.has(i))

  function recordBeats(): void {
    monitors.forEach((monitor, i) => {
      if (killed.has(i)) return
      for (const id of peers.keys()) {
        const reading = readPeer(monitor, id)
        if (reading !== undefined && reading.lastSeenMs > (lastBeat.get(id) ?? -Infinity)) lastBeat.set(id, reading.lastSeenMs)
      }
    })
  }

  const harness: Harness = {
    clock,
    monitors,
    presences,
    clients,
    proxies,
    events,
    lastBeat,
    unreachable,
    frames,
    inject: (i, bytes) => (pairs[i] as MemoryTransportPair).inject(bytes) as { accepted: boolean; reason?: string } | undefined,
    async addPeer(id, monitor) {
      const routed = createRoutedTransport(pairs, monitor)
      const beater = createBeater({ id, secret: SECRET, transport: routed.transport, intervalMs: options.intervalMs, jitter: 0, expectAcks: false, clock })
      const stop = beater.start()
      peers.set(id, { beater, routed, stop })
      await settle()
      recordBeats()
    },
    move(id, monitor) {
      peers.get(id)?.routed.route(monitor)
    },
    async silence(id) {
      const peer = peers.get(id)
      if (peer === undefined) return
      await peer.stop({ bye: false })
    },
    async bye(id) {
      await peers.get(id)?.stop({ bye: true })
    },
    async step(ms) {
      const end = clock.now() + ms
      while (clock.now() < end) {
        clock.advance(Math.min(tickMs, end - clock.now()))
        recordBeats()
        await settle()
        await harness.flushAll()
      }
    },
    async flushAll() {
      await Promise.all(reachable().map((p) => p.flush()))
    },
    cut(i) {
      if (options.connect !== undefined) throw new Error('cut needs the proxies of a single server')
      unreachable.add(i)
      proxies[i]?.cut()
    },
    heal(i) {
      proxies[i]?.heal()
      unreachable.delete(i)
    },
    async kill(i) {
      // A dead process never talks to Redis again.
      if (options.connect !== undefined) {
        unreachable.add(i)
        destroyed.add(i)
        clients[i]?.destroy()
      } else harness.cut(i)
      killed.add(i)
      // A dead process hears nothing: its server is gone, frames to it are lost.
      await (pairs[i] as MemoryTransportPair).server.close()
      await (monitors[i] as Monitor).close()
    },
    async close() {
      for (const { stop } of peers.values()) await stop({ bye: false })
      for (const [i, presence] of presences.entries()) {
        if (unreachable.has(i) && !destroyed.has(i)) clients[i]?.destroy()
        await presence.close()
      }
      await Promise.all(monitors.map((m) => m.close()))
      for (const [i, client] of clients.entries()) if (!unreachable.has(i)) await client.close()
      await Promise.all(proxies.map((p) => p.close()))
    },
  }
  return harness
}
