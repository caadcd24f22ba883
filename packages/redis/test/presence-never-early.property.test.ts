/**
 * Property: whatever the peers do (beat to any monitor, move, go silent) and
 * whichever process dies, every cluster `offline` comes no earlier than the
 * peer's deadline (its last beat heard by any monitor + timeout), no later
 * than leaseMs + timeout/3 after it, and each peer's events alternate
 * online/offline, starting with online: exactly once per episode.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireRedis, startRedisServer } from '@hb/test-redis'
import type { RedisServer } from '@hb/test-redis'
import { createHarness } from './helpers/cluster-harness.js'

const redisAvailable = requireRedis('@hb/redis never-early property tests')

const TIMEOUT_MS = 3000
const LEASE_MS = 2000
const INTERVAL_MS = 1400
const PEERS = 4
const STEP_MS = 250

type Action =
  | { kind: 'move'; peer: number; to: number }
  | { kind: 'silence'; peer: number }
  | { kind: 'kill'; process: number }
  | { kind: 'wait' }

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('move' as const), peer: fc.nat(PEERS - 1), to: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('silence' as const), peer: fc.nat(PEERS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), process: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'wait' as const }) },
)

describe.skipIf(!redisAvailable)('no offline is ever early (property, fake clock, real Redis)', () => {
  let server: RedisServer
  let run = 0
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('holds for random moves, silences and a killed process', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 40 }), async (actions) => {
        const h = await createHarness({ server, processes: 3, timeoutMs: TIMEOUT_MS, leaseMs: LEASE_MS, intervalMs: INTERVAL_MS, namespace: `never-early-${++run}` })
        try {
          for (let p = 0; p < PEERS; p++) await h.addPeer(`p${p}`, p % 3)
          let killed = -1
          for (const a of actions) {
            if (a.kind === 'move') h.move(`p${a.peer}`, a.to)
            else if (a.kind === 'silence') await h.silence(`p${a.peer}`)
            else if (a.kind === 'kill' && killed < 0) {
              killed = a.process
              await h.kill(a.process)
            }
            await h.step(STEP_MS)
          }
          // Everyone goes silent; wait past every bound.
          for (let p = 0; p < PEERS; p++) await h.silence(`p${p}`)
          await h.step(TIMEOUT_MS + LEASE_MS + TIMEOUT_MS + 1000)
          for (let p = 0; p < PEERS; p++) {
            const id = `p${p}`
            const events = h.events.filter((e) => e.id === id)
            // A peer heard only by a process that died before its first write was never in the cluster.
            if (events.length === 0) continue
            events.forEach((e, i) => expect(e.type).toBe(i % 2 === 0 ? 'online' : 'offline'))
            const last = events.at(-1)
            expect(last?.type).toBe('offline')
          }
          // Never early, never too late: each offline against the last beat heard anywhere before it.
          for (const e of h.events.filter((x) => x.type === 'offline')) {
            const deadline = e.lastBeatMs + TIMEOUT_MS
            expect(e.atMs).toBeGreaterThanOrEqual(deadline)
            expect(e.atMs).toBeLessThanOrEqual(deadline + LEASE_MS + TIMEOUT_MS / 3 + STEP_MS)
          }
          expect(await h.presences[(killed + 1) % 3]?.size()).toBe(0)
        } finally {
          await h.close()
        }
      }),
      { numRuns: 16 },
    )
  }, 60_000)
})
