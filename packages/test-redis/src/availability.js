/**
 * Whether redis-server can run here. Where it is missing, suites skip with a
 * message, unless HB_REQUIRE_REDIS=1 (CI), where they fail: a test that needs
 * Redis must never pass by not running. HB_REDIS_SERVER names the binary.
 */
import { spawnSync } from 'node:child_process'

/** The redis-server binary: `HB_REDIS_SERVER`, else `redis-server` from the PATH. */
export const redisServerPath = process.env.HB_REDIS_SERVER ?? 'redis-server'

function probe() {
  const result = spawnSync(redisServerPath, ['--version'], { encoding: 'utf8' })
  if (result.status === 0 && /Redis server/.test(result.stdout)) return undefined
  return `redis-server not found (${redisServerPath}); install Debian's redis-server, or set HB_REDIS_SERVER`
}

/** Why redis-server cannot run here; undefined when it can. */
export const redisMissing = probe()

/**
 * For a suite about to run on Redis: true when it can. When redis-server is
 * missing, it warns that `suite` is skipped and returns false, or throws when
 * HB_REQUIRE_REDIS=1.
 *
 * @param {string} suite
 * @returns {boolean}
 */
export function requireRedis(suite) {
  if (redisMissing === undefined) return true
  if (process.env.HB_REQUIRE_REDIS === '1') throw new Error(`${suite}: ${redisMissing} (HB_REQUIRE_REDIS=1)`)
  console.warn(`${suite} SKIPPED: ${redisMissing}`)
  return false
}
