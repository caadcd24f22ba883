/**
 * This process's lease, and reaping the peers of processes whose lease ran
 * out. The lease is renewed four times per `leaseMs`; the live process with
 * the smallest owner index is the reaper (any process would be safe, since a
 * reap is one atomic script that checks everything again, but one avoids
 * duplicate scans). A reap pass walks every bucket once; later passes revisit
 * only the buckets that still hold the dead owner's fields, when the earliest
 * of them is due.
 */
import type { TimerHandle } from '@hb/core'
import type { ClusterContext } from './cluster-context.js'
import { toLocalMs } from './cluster-context.js'
import { LUA_FORGET, LUA_LEASE, LUA_REAP } from './lua-scripts.js'
import { script } from './redis-connection.js'

const lease = script(LUA_LEASE)
const reap = script(LUA_REAP)
const forget = script(LUA_FORGET)

/** Buckets per reap script call, and reap calls in flight at once. */
const REAP_BUCKETS_PER_CALL = 128
const REAP_CONCURRENCY = 4

export interface LeaseKeeperHooks {
  /** Redis lost its data (the epoch changed): `epoch` is the one the call was sent with. */
  onReset(epoch: string): void
  /** The lease of `owner` expired before it was renewed (partition, long stall): a new one must be taken. */
  onLost(owner: string): void
  /** A reap turned peers offline in this process. */
  onReaped(ids: { id: string; deadlineMs: number }[], monitor: string): void
  onError(error: Error): void
  /** This process's measured write lag (ms), published with each renewal. */
  lagMs(): number
}

export interface LeaseKeeper {
  /** Takes a new owner index and lease. */
  acquire(): Promise<void>
  /** Starts renewing (and reaping). */
  start(): void
  /** Renews now (e.g. after a reset was handled). */
  renewNow(): void
  /** Stops timers; with `retire`, expires the lease at once so the peers are reaped. */
  stop(retire: boolean): Promise<void>
  /** Resolves once no reap pass is running. */
  idle(): Promise<void>
}

interface DeadOwner {
  pending: number[] | undefined
  timer: TimerHandle | undefined
  running: boolean
}

export function createLeaseKeeper(context: ClusterContext, hooks: LeaseKeeperHooks): LeaseKeeper {
  const { clock, renewMs, retryMs, slackMs, buckets } = context.options
  let renewTimer: TimerHandle | undefined
  let stopped = false
  let renewing: Promise<void> | undefined
  const dead = new Map<string, DeadOwner>()
  const running = new Set<Promise<void>>()

  function schedule(delayMs: number): void {
    if (stopped) return
    if (renewTimer !== undefined) clock.clearTimeout(renewTimer)
    renewTimer = clock.setTimeout(() => {
      renewTimer = undefined
      void renew()
    }, Math.max(0, delayMs))
  }

  async function leaseCall(mode: 'acquire' | 'renew' | 'retire'): Promise<unknown[]> {
    return context.call('lease', lease, [], [mode, String(Math.ceil(hooks.lagMs()))])
  }

  async function renew(): Promise<void> {
    if (renewing !== undefined || stopped) return
    if (context.owner === '') return schedule(retryMs) // being replaced: see recover()
    renewing = (async () => {
      const { epoch, owner } = context
      try {
        const reply = await leaseCall('renew')
        if (stopped) return
        if (reply[0] === 'reset') return hooks.onReset(epoch)
        if (reply[0] === 'lost') return hooks.onLost(owner)
        const localNow = clock.now()
        const redisNow = Number(reply[1])
        const next = observeOwners(reply[3] as string[], redisNow, localNow)
        schedule(Math.min(renewMs, next - localNow))
      } catch (error) {
        hooks.onError(error as Error)
        schedule(retryMs)
      }
    })().finally(() => {
      renewing = undefined
    })
    return renewing
  }

  /** Starts reaping expired owners if this process is the reaper; returns the local time to look again. */
  function observeOwners(flat: string[], redisNow: number, localNow: number): number {
    let next = Infinity
    let smallestLive = Infinity
    const expired: string[] = []
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const owner = String(flat[i])
      const expires = Number(flat[i + 1])
      if (expires > redisNow) {
        smallestLive = Math.min(smallestLive, Number(owner))
        if (owner !== context.owner) next = Math.min(next, toLocalMs(expires, redisNow, localNow) + 1)
      } else if (owner !== context.owner) {
        expired.push(owner)
      }
    }
    if (String(smallestLive) === context.owner) {
      for (const owner of expired) if (!dead.has(owner)) startReaping(owner)
    }
    return next
  }

  function startReaping(owner: string): void {
    const state: DeadOwner = { pending: undefined, timer: undefined, running: false }
    dead.set(owner, state)
    void pass(owner, state)
  }

  async function pass(owner: string, state: DeadOwner): Promise<void> {
    if (stopped || state.running) return
    state.running = true
    const passStarted = clock.now()
    const all = state.pending ?? Array.from({ length: buckets }, (_, i) => i)
    const stillPending: number[] = []
    let minDue = -1
    let redisNow = 0
    let localNow = 0
    let failed = false
    const work = (async () => {
      for (let start = 0; start < all.length && !stopped; start += REAP_BUCKETS_PER_CALL * REAP_CONCURRENCY) {
        const calls: Promise<void>[] = []
        for (let c = 0; c < REAP_CONCURRENCY; c++) {
          const slice = all.slice(start + c * REAP_BUCKETS_PER_CALL, start + (c + 1) * REAP_BUCKETS_PER_CALL)
          if (slice.length === 0) break
          calls.push(reapSlice(owner, slice).then((result) => {
            if (result === 'alive' || result === 'reset') failed = true
            if (typeof result !== 'object') return
            for (const position of result.pending) stillPending.push(slice[position - 1] as number)
            if (result.minDue >= 0 && (minDue < 0 || result.minDue < minDue)) minDue = result.minDue
            redisNow = result.redisNow
            localNow = clock.now()
          }))
        }
        await Promise.all(calls)
        if (failed) break
      }
    })()
    running.add(work)
    try {
      await work
    } catch (error) {
      hooks.onError(error as Error)
      failed = true
      state.timer = clock.setTimeout(() => void pass(owner, state), retryMs)
    } finally {
      running.delete(work)
      state.running = false
    }
    if (stopped || failed) {
      if (!failed) dead.delete(owner)
      return
    }
    if (stillPending.length === 0) {
      dead.delete(owner)
      await context.call('reap', forget, [], [owner]).catch((error: Error) => hooks.onError(error))
      return
    }
    state.pending = stillPending
    // The next pass when the earliest field is due, but not sooner than reapEveryMs after this
    // one started: a pass reaps everything due, so dues spread over time cost few passes.
    const at = Math.max(toLocalMs(minDue, redisNow, localNow), passStarted + context.options.reapEveryMs)
    state.timer = clock.setTimeout(() => void pass(owner, state), Math.max(1, at - clock.now()))
  }

  async function reapSlice(owner: string, slice: number[]) {
    const { epoch } = context
    const reply = await context.call('reap', reap, slice.map((b) => context.keys.bucket(b)), [owner, String(slackMs)])
    if (reply[0] === 'reset') {
      dead.delete(owner)
      hooks.onReset(epoch)
      return 'reset' as const
    }
    if (reply[0] === 'alive') {
      dead.delete(owner)
      return 'alive' as const
    }
    const reaped = (reply[2] as unknown[]) ?? []
    const ids: { id: string; deadlineMs: number }[] = []
    for (let i = 0; i + 1 < reaped.length; i += 2) ids.push({ id: String(reaped[i]), deadlineMs: Number(reaped[i + 1]) })
    if (ids.length > 0) hooks.onReaped(ids, String(reply[5]))
    return { redisNow: Number(reply[1]), pending: ((reply[3] as unknown[]) ?? []).map(Number), minDue: Number(reply[4]) }
  }

  const keeper: LeaseKeeper = {
    async acquire() {
      const reply = await leaseCall('acquire')
      if (reply[0] !== 'ok') throw new Error(`lease not acquired: ${String(reply[0])}`)
      context.owner = String(reply[2])
    },
    start() {
      schedule(renewMs)
    },
    renewNow() {
      schedule(0)
    },
    async stop(retire) {
      stopped = true
      if (renewTimer !== undefined) clock.clearTimeout(renewTimer)
      for (const state of dead.values()) if (state.timer !== undefined) clock.clearTimeout(state.timer)
      dead.clear()
      if (retire && context.owner !== '') await leaseCall('retire').catch((error: Error) => hooks.onError(error))
    },
    async idle() {
      while (running.size > 0 || renewing !== undefined) await Promise.allSettled([...running, renewing])
    },
  }
  return keeper
}
