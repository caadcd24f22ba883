import { defineConfig } from 'tsup'

export default defineConfig({
  // `index` is the library (createHbServer, registerMonitorMetrics, createClientTransport, …);
  // `cli` is the `hb` bin (package.json `bin` points at its ESM build; esbuild keeps the #! line).
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
  // import.meta.url in the CJS build too: the dashboard's files are found next to the package.
  shims: true,
})
