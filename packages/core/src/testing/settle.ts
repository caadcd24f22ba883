/**
 * Lets every pending promise callback run (one macrotask turn), e.g. after
 * `beater.start()` so its asynchronous `connect()` has completed before a test
 * advances a fake clock. Not a sleep: it waits for no time to pass.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
