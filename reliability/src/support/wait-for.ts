/**
 * Waiting on events without sleeping: event handlers call `notify()`, and
 * `until(condition)` re-checks on each notification, with a deadline
 * (AbortSignal.timeout) that fails naming what was awaited.
 */
export interface EventWaiter {
  notify(): void
  until(condition: () => boolean, deadlineMs: number, what: string): Promise<void>
}

export function createEventWaiter(): EventWaiter {
  const checks = new Set<() => void>()
  return {
    notify() {
      for (const check of [...checks]) check()
    },
    until(condition, deadlineMs, what) {
      if (condition()) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const signal = AbortSignal.timeout(deadlineMs)
        const onAbort = (): void => {
          checks.delete(check)
          reject(new Error(`timed out after ${deadlineMs} ms waiting for: ${what}`))
        }
        const check = (): void => {
          if (!condition()) return
          checks.delete(check)
          signal.removeEventListener('abort', onAbort)
          resolve()
        }
        checks.add(check)
        signal.addEventListener('abort', onAbort, { once: true })
      })
    },
  }
}
