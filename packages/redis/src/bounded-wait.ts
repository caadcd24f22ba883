/**
 * Waiting for Redis with a bound: a Redis that does not answer must not hold
 * `close()` forever. The bound runs on the presence's clock (a fake one in tests).
 */
import type { Clock } from '@hb/core'

/** Resolves when `work` settles or after `ms` on `clock`, whichever comes first. Never rejects. */
export function waitAtMost(clock: Clock, work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms)
    void work.finally(() => {
      clock.clearTimeout(timer)
      resolve()
    })
  })
}
