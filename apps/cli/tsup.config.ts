import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  // Every dependency (workspace packages included) is inlined.
  noExternal: [/.*/],
  // msgpackr's optional native accelerator is not installed; msgpackr falls back to pure JS without it.
  external: ['msgpackr-extract'],
  dts: false,
  // whitespace and comments out: V8 keeps every loaded module's source in the heap (daemon RSS, CLI start)
  minifyWhitespace: true,
  // Bundled CommonJS (picocolors) may call require(): give the ESM chunks a real one.
  banner: {
    js: "import { createRequire as __velosRequire } from 'node:module';\nconst require = __velosRequire(import.meta.url);",
  },
};

export default defineConfig([
  // The full CLI: commands load their heavy parts with `await import()`, which splitting turns into
  // chunks read only on demand (zod, yaml and the supervisor never load for `velos list`).
  { ...shared, entry: { cli: 'src/cli.ts', daemon: 'src/daemon-entry.ts' }, splitting: true },
  // The binary's entry: `velos list` from one module, anything else through dist/cli.js.
  { ...shared, entry: { velos: 'src/hot-path.ts' }, splitting: false },
  // SUP-5: the cluster primary is a process of its own; the daemon's chunks find it beside them.
  {
    ...shared,
    entry: { 'cluster-primary': '../../packages/supervisor/src/cluster/primary.ts' },
    splitting: false,
  },
]);
