/**
 * Waiting on events in tests without sleeping: call `notify()` from every event
 * handler that may change what a test waits for; `until(condition)` re-checks
 * on each notification and fails with a clear message after its deadline. Any
 * number of `until` calls may wait at once.
 */
export interface Waiter {
  /** Re-checks every pending `until` condition. Call it from event handlers. */
  notify(): void
  /** Resolves once `condition()` holds; rejects after `ms` (default 5000) naming `what`. */
  until(condition: () => boolean, what: string, ms?: number): Promise<void>
}

export function createWaiter(): Waiter {
  const pending = new Set<() => void>()
  return {
    notify() {
      for (const check of [...pending]) check()
    },
    until(condition, what, ms = 5000) {
      if (condition()) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const signal = AbortSignal.timeout(ms)
        const onAbort = (): void => {
          pending.delete(check)
          reject(new Error(`timed out after ${ms} ms waiting for ${what}`))
        }
        const check = (): void => {
          if (!condition()) return
          pending.delete(check)
          signal.removeEventListener('abort', onAbort)
          resolve()
        }
        pending.add(check)
        signal.addEventListener('abort', onAbort, { once: true })
      })
    },
  }
}
