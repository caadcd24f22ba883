import { defineConfig } from 'tsup'

export default defineConfig({
  // `client` is the browser-safe entry (`@hb/ws/client`): no server, no `ws`.
  entry: { index: 'src/index.ts', client: 'src/client.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
})
