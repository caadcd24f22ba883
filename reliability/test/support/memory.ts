/**
 * Memory bounds for hostile-input tests: resident set size in MiB, after a
 * collection when the process runs with --expose-gc (vitest.config passes it).
 */
export function rssMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  return process.memoryUsage().rss / 2 ** 20
}

/** JS heap plus ArrayBuffers (the monitor keeps its peers in typed arrays, outside heapUsed). */
export function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const usage = process.memoryUsage()
  return (usage.heapUsed + usage.arrayBuffers) / 2 ** 20
}
