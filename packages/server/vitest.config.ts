import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The CLI tests spawn dist/cli.js: build it first when src/ is newer.
    globalSetup: ['test/support/build-once.ts'],
  },
})
