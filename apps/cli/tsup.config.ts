import { defineConfig, type Options } from 'tsup';
import {
  CLI_EXTENSION,
  convertCliToCommonJs,
  convertDaemonToCommonJs,
  DAEMON_EXTENSION,
  lazyChildProcess,
  lazyFsPromises,
  lazyOsAndTimers,
  msgpackrWithoutStructs,
} from './daemon-cjs.js';
import { entryBuiltinsByRequire, monitBundlePlugins, stampCacheKey } from './monit-build.js';
import { commandRunsLeftOut, quickCore } from './quick-build.js';

const shared: Options = {
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  // Every dependency (workspace packages included) is inlined, but @velos/api: `velos serve` loads it from
  // its own dist, where its dashboard assets are (fastify and its plugins are not bundled).
  noExternal: [/^(?!@velos\/api(\/|$))/],
  // msgpackr's optional native accelerator is not installed here, but npm installs it beside an installed
  // velos (an optional dependency of msgpackr): the define keeps the bundles from loading it (no native addon,
  // and ~4 MB less daemon RSS).
  external: ['msgpackr-extract'],
  define: { 'process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED': '"true"' },
  // ink imports react-devtools-core only when DEV=true; it is not installed and monit never asks for
  // it: an empty module stands in for it.
  esbuildPlugins: [
    {
      name: 'stub-react-devtools',
      setup(build) {
        build.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'stub', namespace: 'stub' }));
        build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {};' }));
      },
    },
  ],
  dts: false,
  // whitespace and comments out: V8 keeps every loaded module's source in the heap (daemon RSS, CLI start)
  minifyWhitespace: true,
  // Bundled CommonJS (picocolors, msgpackr) may call require(): give the ESM chunks a real one, made on
  // first use. A createRequire() per chunk at load time ran path code often enough for V8 to optimise it at
  // start, and TurboFan's first use costs the daemon ~3.7 MB of RSS (issue 10 notes in docs/benchmarks.md).
  banner: {
    js: "import { createRequire as __velosCreateRequire } from 'node:module';\nlet __velosRequire;\nfunction require(id) { return (__velosRequire ??= __velosCreateRequire(import.meta.url))(id); }",
  },
};

// The quick paths' bundles (issue 17): CommonJS (Node's ESM loader, and the namespaces it builds of every
// built-in imported, cost more than the rest of `velos list`), with the client's small MessagePack codec
// in place of msgpackr (packages/client/src/plain-codec.ts: loading and warming msgpackr's reader took
// longer than the daemon's answer).
// The CommonJS bundles of dist/ that are not the daemon's (whose build converts its own files to CommonJS)
const OTHER_COMMONJS_BUNDLES = ['velos.cjs', 'velos-start.cjs', 'velos-complete.cjs', 'monit.cjs'];

const quick: Options = {
  ...shared,
  format: ['cjs'],
  splitting: false,
  banner: {},
  removeNodeProtocol: false,
  esbuildPlugins: [...(shared.esbuildPlugins ?? []), quickCore],
};

export default defineConfig([
  // The full CLI: commands load their heavy parts with `await import()`, which splitting turns into
  // chunks read only on demand (zod, yaml and the supervisor never load for `velos list`; ink and
  // react only for `velos monit`). It ends up as CommonJS, as the daemon (daemon-cjs.ts): dist/cli.cjs
  // and its chunks (`*.cli.cjs`).
  {
    ...shared,
    entry: { cli: 'src/cli.ts' },
    splitting: true,
    outExtension: () => ({ js: CLI_EXTENSION }),
    banner: {},
    removeNodeProtocol: false,
    onSuccess: () => convertCliToCommonJs('dist'),
  },
  // The daemon's entry (what the client starts) built on its own, so what it runs at start sits in a few
  // modules instead of the chunks it would share with the CLI: fewer module loads at start.
  // It ends up as CommonJS (daemon-cjs.ts): dist/daemon.cjs and its chunks, in files of their own.
  {
    ...shared,
    entry: { daemon: 'src/daemon-entry.ts' },
    splitting: true,
    outExtension: () => ({ js: DAEMON_EXTENSION }),
    banner: {},
    removeNodeProtocol: false,
    esbuildPlugins: [
      ...(shared.esbuildPlugins ?? []),
      lazyFsPromises,
      lazyChildProcess,
      lazyOsAndTimers,
      msgpackrWithoutStructs,
    ],
    onSuccess: () => convertDaemonToCommonJs('dist', OTHER_COMMONJS_BUNDLES),
  },
  // `velos list` (and `velos daemon`) from one CommonJS file, dist/velos.cjs, required by bin/velos.js; `velos start
  // <script>` likewise from dist/velos-start.cjs, so `velos list` loads none of it (issue 17: src/quick-run.ts).
  // Both are stamped with their content's hash, the key of the V8 code cache bin/velos.js runs them with.
  { ...quick, entry: { velos: 'src/hot-path.ts' }, onSuccess: () => stampCacheKey('dist/velos.cjs') },
  {
    ...quick,
    entry: { 'velos-start': 'src/start-entry.ts' },
    onSuccess: () => stampCacheKey('dist/velos-start.cjs'),
  },
  // `velos __complete` (each Tab of the completion scripts) likewise from dist/velos-complete.cjs: the command
  // table without the commands, whose `import()`s are left out (commandRunsLeftOut, first: quickCore takes
  // every relative import)
  {
    ...quick,
    entry: { 'velos-complete': 'src/complete-entry.ts' },
    esbuildPlugins: [commandRunsLeftOut, ...(quick.esbuildPlugins ?? [])],
    onSuccess: () => stampCacheKey('dist/velos-complete.cjs'),
  },
  // `velos monit` without arguments: the splash and the loader of dist/monit.cjs in one module, likewise.
  {
    ...shared,
    entry: { 'monit-entry': 'src/monit-entry.ts' },
    splitting: false,
    // node:fs and the others reach entryBuiltinsByRequire (tsup's node: plugin would take them first)
    removeNodeProtocol: false,
    esbuildPlugins: [...(shared.esbuildPlugins ?? []), entryBuiltinsByRequire],
  },
  // CLI-4: `velos monit` (ink, react, yoga) in one file of its own, loaded by commands/monit.ts only;
  // React's production build (the development one takes ~80 ms more to load and checks every render).
  // A CommonJS script, so that commands/monit.ts can run it with V8's code cache (monit/code-cache.ts).
  {
    ...shared,
    entry: { monit: 'src/monit/run-monit.tsx' },
    format: ['cjs'],
    splitting: false,
    // MONIT_NO_MINIFY=1 keeps the names and lines, for readable CPU profiles (node --cpu-prof)
    minify: !process.env.MONIT_NO_MINIFY,
    minifyWhitespace: !process.env.MONIT_NO_MINIFY,
    // import.meta.url (yoga's emscripten reads it) from __filename
    shims: true,
    banner: {},
    define: { ...shared.define, 'process.env.NODE_ENV': '"production"' },
    esbuildPlugins: [...(shared.esbuildPlugins ?? []), ...monitBundlePlugins],
    onSuccess: () => stampCacheKey('dist/monit.cjs'),
  },
  // SUP-5: the cluster primary is a process of its own; the daemon's chunks find it beside them.
  {
    ...shared,
    entry: { 'cluster-primary': '../../packages/supervisor/src/cluster/primary.ts' },
    splitting: false,
  },
]);
