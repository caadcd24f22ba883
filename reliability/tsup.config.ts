import { defineConfig } from 'tsup'

// A private tool, not a library: one ESM bundle per entry, no declarations.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
})
