import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

// sources of the monorepo's packages the quick bundles read
const coreSource = fileURLToPath(new URL('../../packages/core/src/', import.meta.url));
const cliSource = fileURLToPath(new URL('./src/', import.meta.url));
const plainCodecPath = fileURLToPath(new URL('../../packages/client/src/plain-codec.ts', import.meta.url));
const clientSource = fileURLToPath(new URL('../../packages/client/src/', import.meta.url));

// What the client's modules import of these built-ins, required on first call instead of at load
// (a module of the bundle: bin/velos.js runs the bundles as scripts, where `import()` is not available)
const LAZY_BUILTINS: Record<string, string[]> = {
  'node:net': ['connect'],
  'node:timers/promises': ['setTimeout'],
  'node:child_process': ['spawn'],
};

// what picocolors reads of process.stdout when it loads
const PICOCOLORS_STDOUT = '(p.stdout || {}).isTTY';

/**
 * How the quick paths' bundles (dist/velos.cjs, dist/velos-start.cjs, dist/velos-complete.cjs) see `@velos/core` (issue 17):
 * - `@velos/core/codec` (msgpackr) is the client's small codec (packages/client/src/plain-codec.ts, same
 *   API and errors), so the client's `Connection` runs over it unchanged;
 * - `@velos/core` and its other entries are read from core's sources, each module marked free of side
 *   effects, so that only the modules used are bundled: core's built `index.js` is one module, whose
 *   protocol command table (built at load) would come along with the few helpers these paths use;
 * - the CLI's own modules likewise: context.ts imports the colour library for `createContext`, which
 *   these paths do not use (the text table loads it when it prints);
 * - `@velos/client/quick` likewise from the client's sources, whose `node:net`, `node:timers/promises`
 *   and `node:child_process` are required on first call (LAZY_BUILTINS);
 * - picocolors without its look at `process.stdout` when it loads (PICOCOLORS_STDOUT).
 */
export const quickCore: EsbuildPlugin = {
  name: 'quick-core',
  setup(build) {
    build.onResolve({ filter: /^@velos\/core(\/[\w-]+)?$/ }, (args) => {
      const entry = args.path.slice('@velos/core'.length + 1) || 'index';
      if (entry === 'codec') return { path: plainCodecPath };
      return { path: `${coreSource}${entry}.ts`, sideEffects: false };
    });
    // the client's quick entry from its sources too, so that the rule below sees its built-in imports
    build.onResolve({ filter: /^@velos\/client\/quick$/ }, () => ({ path: `${clientSource}quick.ts` }));
    // The client's `net` (and the timers of its daemon start) load only when the quick paths fall back
    // to them (quick-connect.ts): loading `net` and the stream classes was ~2 ms of a `velos list`.
    build.onResolve({ filter: /^node:/ }, (args) => {
      if (!(args.path in LAZY_BUILTINS) || !args.importer.startsWith(clientSource)) return undefined;
      return { path: args.path, namespace: 'quick-lazy-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'quick-lazy-builtin' }, (args) => ({
      contents: LAZY_BUILTINS[args.path]!.map(
        (name) =>
          `export function ${name}(...args) { return require(${JSON.stringify(args.path)}).${name}(...args); }`,
      ).join('\n'),
      loader: 'js',
    }));
    // picocolors works out its default colours at load from `process.stdout.isTTY`, and that creates
    // process.stdout (for a pipe: `net` and the stream classes, ~4 ms of a `velos start`). The quick paths
    // use `createColors(enabled)` only (src/output/colors.ts), which that default does not touch.
    build.onLoad({ filter: /[\\/]picocolors[\\/]picocolors\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(PICOCOLORS_STDOUT))
        throw new Error(`quick-build: "${PICOCOLORS_STDOUT}" not in ${args.path}`);
      return { contents: source.replace(PICOCOLORS_STDOUT, 'false'), loader: 'js' };
    });
    // relative imports of core, the client and the CLI (`./errors.js` is errors.ts), side-effect free likewise
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const isOurs = [coreSource, cliSource, clientSource].some((source) => args.importer.startsWith(source));
      if (!isOurs) return undefined;
      // resolved (not joined): esbuild tells modules apart by path, and `src/./errors.ts` made a second copy
      const path = resolve(dirname(args.importer), args.path.replace(/\.js$/, '.ts'));
      return { path, sideEffects: false };
    });
  },
};

/**
 * For dist/velos-complete.cjs: the `import()`s of the command table (each command's implementation,
 * loaded when it runs) become an empty module, which completion never runs: the bundle, which has no
 * chunks, would otherwise hold the whole CLI.
 */
export const commandRunsLeftOut: EsbuildPlugin = {
  name: 'command-runs-left-out',
  setup(build) {
    const commandTable = `${cliSource}command-table/`;
    build.onResolve({ filter: /^\.\.\/commands\// }, (args) =>
      args.kind === 'dynamic-import' && args.importer.startsWith(commandTable)
        ? { path: args.path, namespace: 'command-run-left-out' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'command-run-left-out' }, () => ({ contents: '', loader: 'js' }));
  },
};
