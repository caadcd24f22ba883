import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Memory bounds are read after a collection; one file at a time so RSS is this file's.
    pool: 'forks',
    execArgv: ['--expose-gc'],
    fileParallelism: false,
  },
})
