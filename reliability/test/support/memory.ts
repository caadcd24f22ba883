/**
 * Memory bounds for hostile-input tests: resident set size in MiB, after a
 * collection when the process runs with --expose-gc (vitest.config passes it).
 */
export function rssMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  return process.memoryUsage().rss / 2 ** 20
}

export function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  return process.memoryUsage().heapUsed / 2 ** 20
}
