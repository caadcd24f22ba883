/**
 * `createRedisPresence`: shares one monitor's peers with every other monitor
 * of a namespace through Redis. The local monitor stays the hot path; this
 * listens to its `online` and `offline` events, sweeps its peers to rewrite
 * their deadlines in Redis well before the written ones could mislead anyone
 * (at most one write per peer per `rewriteMs`, batched into one script call
 * per 500 peers), and turns the scripts' verdicts into cluster-wide events.
 */
import { HeartbeatError } from '@hb/core'
import type { Monitor, OfflineReason, Peer, TimerHandle } from '@hb/core'
import { waitAtMost } from './bounded-wait.js'
import { createClusterContext } from './cluster-context.js'
import { readPeer as readClusterPeer, readPeers, readSize } from './cluster-reads.js'
import { readPeer, useReplayStore } from './core-hooks.js'
import { createEmitter } from './emitter.js'
import { readEvents } from './event-log.js'
import { bucketOf, presenceKeys } from './keys.js'
import { createLeaseKeeper } from './lease-keeper.js'
import { LUA_INIT, LUA_RELEASE, LUA_UPSERT } from './lua-scripts.js'
import type { HeldPeer } from './peer-table.js'
import { createPeerTable } from './peer-table.js'
import { resolvePresenceOptions } from './presence-options.js'
import type { PresenceListeners, RedisPresence, RedisPresenceOptions } from './presence-types.js'
import { createRedisConnection, script } from './redis-connection.js'
import { createClusterReplayStore } from './replay-store.js'

const init = script(LUA_INIT)
const upsert = script(LUA_UPSERT)
const release = script(LUA_RELEASE)

/** Peers per script call. */
const BATCH = 500
/** Sweep ticks per full pass over the held peers. */
const SWEEP_TICKS = 4

export function createRedisPresence(options: RedisPresenceOptions): RedisPresence {
  const config = resolvePresenceOptions(options)
  const monitor: Monitor = options.monitor
  const connection = createRedisConnection(options.redis)
  const keys = presenceKeys(config.namespace)
  const context = createClusterContext(connection, keys, config, options.clusterNow)
  const { clock, timeoutMs } = config
  const bucket = (id: string): number => bucketOf(id, config.buckets)
  // Until a sweep has seen two of its beats, a peer is assumed to beat every third of a timeout.
  const table = createPeerTable(bucket, timeoutMs / 3)
  const emitter = createEmitter<PresenceListeners>()
  const closed = new AbortController()
  let phase: 'idle' | 'starting' | 'running' | 'closed' = 'idle'
  let closing: Promise<void> | undefined
  let writes = 0
  let failures = 0
  let queue: HeldPeer[] = []
  let flushTimer: TimerHandle | undefined
  let flushing: Promise<void> | undefined
  let sweepTimer: TimerHandle | undefined
  let recovering: Promise<void> | undefined
  // How late this process's writes land: sweep timer lateness + queueing + the
  // round trip, decaying. A written deadline must never lag the true one by the
  // slack (the reaper trusts it), so a slow process rewrites that much earlier.
  let lagMs = 0
  let queuedSince = -1
  let passStartedAt = -1

  const onError = (error: Error): void => {
    failures++
    if (phase !== 'closed') emitter.emit('error', error)
  }
  const replayStore = createClusterReplayStore(context, bucket, onError)
  const keeper = createLeaseKeeper(context, {
    onReset: (epoch) => recover('reset', epoch, context.owner),
    onLost: (owner) => recover('lost', context.epoch, owner),
    onReaped(reaped, name) {
      for (const { id, deadlineMs } of reaped) emitter.emit('offline', { id, monitor: name, lastSeenMs: deadlineMs - timeoutMs }, 'timeout')
    },
    onError,
    lagMs: () => lagMs,
  })

  function enqueue(entry: HeldPeer): void {
    if (queuedSince < 0) queuedSince = clock.now()
    if (!entry.queued) {
      entry.queued = true
      queue.push(entry)
    }
    requestFlush(0)
  }

  function requestFlush(delayMs: number): void {
    if (phase !== 'running' || flushTimer !== undefined || flushing !== undefined) return
    flushTimer = clock.setTimeout(runFlush, delayMs)
  }

  function runFlush(): void {
    flushTimer = undefined
    // Nothing is sent while recovering: a call with the new epoch but the old owner index
    // could pass for another process (owner indices restart with an emptied Redis).
    if (flushing !== undefined || recovering !== undefined) return
    const since = queuedSince
    queuedSince = -1
    flushing = flushOnce().then((ok) => {
      flushing = undefined
      if (ok && since >= 0) observeLag(clock.now() - since)
      if (queue.length > 0) requestFlush(ok ? 0 : config.retryMs)
    })
  }

  /** Sends every queued write, then every queued release; resolves false if a call failed. */
  async function flushOnce(): Promise<boolean> {
    const batch = queue
    queue = []
    const silentWrites: HeldPeer[] = []
    const loudWrites: HeldPeer[] = []
    const releases: HeldPeer[] = []
    for (const entry of batch) {
      entry.queued = false
      if (table.get(entry.id) !== entry) continue
      if (entry.wantWrite) (entry.silent ? silentWrites : loudWrites).push(entry)
      if (entry.releasing) releases.push(entry)
    }
    const calls: Promise<boolean>[] = []
    for (const [list, silent] of [[silentWrites, true], [loudWrites, false]] as const) {
      for (let i = 0; i < list.length; i += BATCH) calls.push(sendWrites(list.slice(i, i + BATCH), silent))
    }
    for (let i = 0; i < releases.length; i += BATCH) calls.push(sendReleases(releases.slice(i, i + BATCH)))
    const results = await Promise.all(calls)
    return results.every(Boolean)
  }

  async function sendWrites(entries: HeldPeer[], silent: boolean): Promise<boolean> {
    const localNow = clock.now()
    const bucketKeys: string[] = []
    const args: string[] = [String(timeoutMs), silent ? '1' : '0']
    const sent: { entry: HeldPeer; deadline: number; ageMs: number }[] = []
    for (const entry of entries) {
      const reading = readPeer(monitor, entry.id)
      if (reading === undefined && !entry.releasing) {
        table.delete(entry.id)
        continue
      }
      const lastSeenMs = reading?.lastSeenMs ?? localNow - timeoutMs
      const ageMs = Math.max(0, Math.round(localNow - lastSeenMs))
      bucketKeys.push(keys.bucket(entry.bucket))
      args.push(entry.id, String(ageMs), String(reading?.incarnation ?? 0), String(reading?.seq ?? 0))
      sent.push({ entry, deadline: lastSeenMs + timeoutMs, ageMs })
    }
    if (sent.length === 0) return true
    const { epoch, owner } = context
    try {
      const reply = await context.call('upsert', upsert, bucketKeys, args)
      if (reply[0] !== 'ok') {
        requeue(sent.map((s) => s.entry))
        recover(reply[0] === 'reset' ? 'reset' : 'lost', epoch, owner)
        return true
      }
      writes += sent.length
      const redisNow = Number(reply[1])
      for (const { entry, deadline } of sent) {
        entry.wantWrite = false
        entry.silent = false
        entry.written = Math.max(entry.written, deadline)
      }
      if (phase === 'closed') return true
      for (const position of (reply[2] as unknown[]) ?? []) {
        const item = sent[Number(position) - 1]
        if (item !== undefined) emitter.emit('online', { id: item.entry.id, monitor: config.name, lastSeenMs: redisNow - item.ageMs })
      }
      return true
    } catch (error) {
      onError(error as Error)
      requeue(sent.map((s) => s.entry))
      return false
    }
  }

  async function sendReleases(entries: HeldPeer[]): Promise<boolean> {
    const localNow = clock.now()
    const bucketKeys: string[] = []
    const args: string[] = [String(config.slackMs)]
    const ages: number[] = []
    for (const entry of entries) {
      bucketKeys.push(keys.bucket(entry.bucket))
      args.push(entry.id, entry.reason)
      const reading = readPeer(monitor, entry.id)
      ages.push(reading === undefined ? timeoutMs : Math.max(0, localNow - reading.lastSeenMs))
    }
    const { epoch, owner } = context
    try {
      const reply = await context.call('release', release, bucketKeys, args)
      if (reply[0] !== 'ok') {
        requeue(entries)
        recover('reset', epoch, owner)
        return true
      }
      const redisNow = Number(reply[1])
      const verdicts = (reply[2] as unknown[]) ?? []
      entries.forEach((entry, i) => {
        const verdict = String(verdicts[i])
        if (verdict === 'offline' && phase !== 'closed') {
          emitter.emit('offline', { id: entry.id, monitor: config.name, lastSeenMs: redisNow - (ages[i] as number) }, entry.reason)
        }
        if (entry.releasing) table.delete(entry.id)
        else {
          // It came back while its release was in flight: its field is gone, claim again.
          entry.written = -Infinity
          entry.wantWrite = true
          enqueue(entry)
        }
      })
      return true
    } catch (error) {
      onError(error as Error)
      requeue(entries)
      return false
    }
  }

  function requeue(entries: HeldPeer[]): void {
    for (const entry of entries) {
      if (table.get(entry.id) === entry && !entry.queued) {
        entry.queued = true
        queue.push(entry)
      }
    }
  }

  /**
   * After Redis lost its data (`reset`) or this process lost its lease (`lost`):
   * a new lease, and every held peer written again. `epoch` and `owner` are what
   * the failed call was sent with: a reply to a call sent before an earlier
   * recovery says nothing new.
   */
  function recover(kind: 'reset' | 'lost', epoch: string, owner: string): void {
    if (recovering !== undefined || phase !== 'running') return
    if (kind === 'reset' ? epoch !== context.epoch : owner !== context.owner) return
    context.owner = ''
    recovering = (async () => {
      try {
        if (kind === 'reset') await initNamespace()
        await keeper.acquire()
        for (const entry of table.values()) {
          if (kind === 'lost' && entry.releasing) {
            // Its field (under the old owner index) is the reaper's now: it decides the offline.
            table.delete(entry.id)
            continue
          }
          // The cluster already saw it online unless it was never written (or is still owed its silent rewrite).
          entry.silent ||= kind === 'reset' && entry.written !== -Infinity
          entry.written = -Infinity
          entry.wantWrite = true
          enqueue(entry)
        }
        keeper.renewNow()
      } catch (error) {
        onError(error as Error)
        clock.setTimeout(() => recover(kind, context.epoch, context.owner), config.retryMs)
      }
    })().finally(() => {
      recovering = undefined
      if (queue.length > 0) requestFlush(0)
    })
  }

  async function initNamespace(): Promise<void> {
    const proposed = `${Math.floor(clock.wallNow()).toString(36)}-${Math.random().toString(36).slice(2, 10)}`
    const reply = (await connection.run(init, [keys.meta], [proposed, String(config.buckets)])) as unknown[]
    if (Number(reply[1]) !== config.buckets) {
      throw new HeartbeatError('HB_ERR_CONFIG', `namespace ${config.namespace} uses ${String(reply[1])} buckets, this presence ${config.buckets}`)
    }
    context.epoch = String(reply[0])
  }

  function observeLag(ms: number): void {
    lagMs = Math.min(Math.max(lagMs * 0.95, ms), config.rewriteMs / 2)
  }

  function sweep(): void {
    sweepTimer = undefined
    if (phase !== 'running') return
    const rewriteMs = config.rewriteMs - lagMs
    if (passStartedAt < 0) passStartedAt = clock.now()
    const { chunk, done } = table.nextChunk(Math.ceil(table.size / SWEEP_TICKS) + 1)
    if (done) {
      // A peer is looked at once per pass: a pass longer than sweepMs is lag.
      observeLag(clock.now() - passStartedAt - config.sweepMs)
      passStartedAt = -1
    }
    for (const entry of chunk) {
      if (entry.releasing) continue
      const reading = readPeer(monitor, entry.id)
      if (reading === undefined) continue
      if (reading.lastSeenMs !== entry.seenAt) {
        // Beats come in steps of an interval: learn the largest (two steps seen as one only overestimate).
        const gap = reading.lastSeenMs - entry.seenAt
        if (gap > 0 && gap < timeoutMs) entry.gapMs = Math.max(entry.gapMs, gap)
        entry.seenAt = reading.lastSeenMs
      }
      if (entry.wantWrite) continue
      if (reading.lastSeenMs + timeoutMs - entry.written >= rewriteMs - entry.gapMs) {
        entry.wantWrite = true
        enqueue(entry)
      }
    }
    scheduleSweep()
  }

  function scheduleSweep(): void {
    sweepTimer = clock.setTimeout(sweep, config.sweepMs / SWEEP_TICKS)
  }

  const onLocalOnline = (peer: Peer): void => {
    const entry = table.ensure(peer.id)
    entry.releasing = false
    entry.wantWrite = true
    enqueue(entry)
  }
  const onLocalOffline = (peer: Peer, reason: OfflineReason): void => {
    const entry = table.get(peer.id)
    if (entry === undefined) return
    entry.releasing = true
    entry.reason = reason
    // Written already: only the release is owed. Never written: claim, then release.
    if (entry.written !== -Infinity) entry.wantWrite = false
    enqueue(entry)
  }

  const presence: RedisPresence = {
    async start() {
      if (phase !== 'idle') throw new HeartbeatError('HB_ERR_CONFIG', 'a presence starts once')
      phase = 'starting'
      try {
        await initNamespace()
        await keeper.acquire()
      } catch (error) {
        phase = 'closed'
        throw error
      }
      if (closing !== undefined) return
      phase = 'running'
      monitor.on('online', onLocalOnline)
      monitor.on('offline', onLocalOffline)
      useReplayStore(monitor, replayStore)
      for (const peer of monitor.peers()) if (peer.state === 'alive' || peer.state === 'suspect') onLocalOnline(peer)
      keeper.start()
      scheduleSweep()
    },
    close() {
      closing ??= (async () => {
        options.signal?.removeEventListener('abort', onAbort)
        const wasRunning = phase === 'running'
        monitor.off('online', onLocalOnline)
        monitor.off('offline', onLocalOffline)
        useReplayStore(monitor, undefined)
        replayStore.close()
        if (sweepTimer !== undefined) clock.clearTimeout(sweepTimer)
        if (wasRunning) await waitAtMost(clock, presence.flush(), config.leaseMs)
        phase = 'closed'
        if (flushTimer !== undefined) clock.clearTimeout(flushTimer)
        await waitAtMost(clock, keeper.stop(wasRunning), config.leaseMs)
        closed.abort()
        emitter.clear()
      })()
      return closing
    },
    async flush() {
      for (let round = 0; round < 1000; round++) {
        if (flushing !== undefined) await flushing
        else if (recovering !== undefined) await recovering
        else if (queue.length > 0 && phase === 'running') {
          if (flushTimer !== undefined) clock.clearTimeout(flushTimer)
          flushTimer = undefined
          runFlush()
          if (flushing === undefined) break
        } else break
      }
      await replayStore.idle()
      await keeper.idle()
    },
    on: emitter.on,
    off: emitter.off,
    events(eventOptions = {}) {
      return readEvents(() => connection.duplicate(), keys.events, eventOptions, closed.signal)
    },
    get: (id) => readClusterPeer(context, id, bucket(id)),
    peers: (pageOptions = {}) => readPeers(context, pageOptions.pageBuckets ?? 256),
    size: () => readSize(context),
    get owner() {
      return context.owner === '' ? undefined : context.owner
    },
    stats() {
      return { calls: { ...context.calls }, writes, failures, held: table.size, lagMs, replayFailedOpen: replayStore.failedOpen }
    },
  }

  const onAbort = (): void => void presence.close()
  if (options.signal?.aborted === true) void presence.close()
  else options.signal?.addEventListener('abort', onAbort, { once: true })
  return presence
}
