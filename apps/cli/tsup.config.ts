import { defineConfig } from 'tsup';

// One self-contained bundle: every dependency (workspace packages included) is inlined, and commands
// load their heavy parts with `await import()`, which splitting turns into chunks read only on demand.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  noExternal: [/.*/],
  // msgpackr's optional native accelerator is not installed; msgpackr falls back to pure JS without it.
  external: ['msgpackr-extract'],
  dts: false,
  clean: true,
  // Bundled CommonJS (picocolors) may call require(): give the ESM chunks a real one.
  banner: {
    js: "import { createRequire as __velosRequire } from 'node:module';\nconst require = __velosRequire(import.meta.url);",
  },
});
