import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'tsup';
import { stampCacheKey } from './monit-build.js';

type Transform = (code: string, options: Record<string, unknown>) => Promise<{ code: string }>;

// esbuild as tsup has it (tsup runs this file; esbuild is tsup's dependency, not this package's)
const fromTsup = createRequire(createRequire(import.meta.url).resolve('tsup'));
const { transform } = fromTsup('esbuild') as { transform: Transform };

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** The daemon's `node:fs/promises`: src/daemon-fs-promises.ts (fs/promises itself loads only for a FileHandle). */
export const lazyFsPromises: EsbuildPlugin = {
  name: 'daemon-fs-promises',
  setup(build) {
    build.onResolve({ filter: /^(node:)?fs\/promises$/ }, (args) =>
      args.importer.endsWith('daemon-fs-promises.ts')
        ? undefined
        : { path: fileURLToPath(new URL('./src/daemon-fs-promises.ts', import.meta.url)) },
    );
  },
};

/**
 * The daemon's `node:child_process`: src/daemon-child-process.ts (child_process itself loads with the first
 * spawn). An `import()` of it is lazy already and stays as it is; so do dependencies in node_modules, which
 * may use what that file leaves out (OpenTelemetry's machine id promisifies `exec`).
 */
export const lazyChildProcess: EsbuildPlugin = {
  name: 'daemon-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.endsWith('daemon-child-process.ts') ||
      args.kind === 'dynamic-import' ||
      args.importer.includes('/node_modules/')
        ? undefined
        : { path: fileURLToPath(new URL('./src/daemon-child-process.ts', import.meta.url)) },
    );
  },
};

/**
 * The daemon's `node:os` and `node:timers/promises`, as the workspace's sources import them:
 * src/daemon-os.ts and src/daemon-timers-promises.ts (Node's modules load on the first call, not at
 * start). Dependencies in node_modules keep Node's own.
 */
export const lazyOsAndTimers: EsbuildPlugin = {
  name: 'daemon-os-timers',
  setup(build) {
    const stand: Record<string, string> = {
      os: './src/daemon-os.ts',
      'timers/promises': './src/daemon-timers-promises.ts',
    };
    build.onResolve({ filter: /^(node:)?(os|timers\/promises)$/ }, (args) => {
      const file = stand[args.path.replace(/^node:/, '')] as string;
      return args.kind !== 'import-statement' ||
        args.importer.includes('/node_modules/') ||
        args.importer.endsWith(file.slice(1))
        ? undefined
        : { path: fileURLToPath(new URL(file, import.meta.url)) };
    });
  },
};

const RESOLVING_MSGPACKR = Symbol('resolving msgpackr');

/**
 * msgpackr as the daemon imports it: its entry without random-access structures (`index.js`, beside the
 * Node entry `node-index.js`), which the frame codec never turns on (`useRecords: false`, no
 * `randomAccessStructure`): its struct.js is ~20 KB of source the daemon kept in its heap and ran at start.
 * The Node entry's other addition, the native accelerator, is off in every bundle (tsup.config.ts).
 */
export const msgpackrWithoutStructs: EsbuildPlugin = {
  name: 'daemon-msgpackr',
  setup(build) {
    build.onResolve({ filter: /^msgpackr$/ }, async (args) => {
      if (args.pluginData === RESOLVING_MSGPACKR) return undefined;
      const { importer, kind, resolveDir } = args;
      const node = await build.resolve(args.path, {
        importer,
        kind,
        resolveDir,
        pluginData: RESOLVING_MSGPACKR,
      });
      if (node.errors.length > 0 || basename(node.path) !== 'node-index.js') return node;
      return { path: join(dirname(node.path), 'index.js') };
    });
  },
};

/** Extension of the daemon build's files in dist/: `daemon.cjs` and its chunks. */
export const DAEMON_EXTENSION = '.cjs';
/** Extension of the full CLI build's files in dist/: its chunks; its entry is renamed `cli.cjs`. */
export const CLI_EXTENSION = '.cli.cjs';

/**
 * Turns the daemon build (ESM with code splitting, every file ending in `.cjs`) into CommonJS, file by
 * file (issue 17). An ESM daemon pays for Node's ESM loader and, for each built-in it imports, a
 * namespace built from every export: its lazy getters run, so `node:fs` loads `fs/promises` and
 * `node:util` loads `worker_threads` on Node 24. As CommonJS the same code runs with `require()`,
 * and reads a built-in's property only where it is used: about 2 MB less idle RSS on Node 20 and
 * 2.5 MB on Node 24. The chunks stay separate files: a lazy `import("./x.cjs")` becomes a `require()`
 * made when it runs, so what the daemon does not use is still never read. `others` are the CommonJS
 * bundles of the other builds in `dist` (built at the same time): left alone, or their build's stamp
 * (the key of their code cache, monit-build.ts) would be lost; so are the full CLI's files.
 */
export async function convertDaemonToCommonJs(dist: string, others: readonly string[]): Promise<void> {
  const files = (await readdir(dist)).filter(
    (name) => name.endsWith(DAEMON_EXTENSION) && !name.endsWith(CLI_EXTENSION) && !others.includes(name),
  );
  await Promise.all(files.map((name) => convertFile(join(dist, name))));
}

/**
 * The full CLI's build (ESM with code splitting, every file ending in `.cli.cjs`) as CommonJS, as the
 * daemon's: a command such as `velos describe` or `velos stop` spent 10–25 ms of its 120–150 ms of CPU
 * on Node's ESM loader and the namespaces of the built-ins it imports (docs/benchmarks.md, session 34).
 * Its entry, `cli.cli.cjs`, becomes `dist/cli.cjs` (bin/velos.js requires it). Each file carries the
 * build's stamp of its content, the key of its V8 code cache where Node has no compile cache of its own.
 */
export async function convertCliToCommonJs(dist: string): Promise<void> {
  const files = (await readdir(dist)).filter((name) => name.endsWith(CLI_EXTENSION));
  await Promise.all(
    files.map(async (name) => {
      await convertFile(join(dist, name), { requireBuiltins: true });
      // the key of the file's code cache on Node < 22.1 (bin/velos.js, cacheFullCliCode)
      await stampCacheKey(join(dist, name));
    }),
  );
  await rename(join(dist, `cli${CLI_EXTENSION}`), join(dist, 'cli.cjs'));
}

/**
 * `requireBuiltins`: a lazy `import("zlib")` of a Node built-in becomes a `require()` made when it runs
 * too (the sources destructure what they import from built-ins by name, which both give), so that the
 * only `import()` left in the full CLI loads an ES module (@velos/api, an ecosystem.config.mjs): the
 * files without one take the code cache of bin/velos.js on Node 20, whose vm scripts cannot `import()`
 * without an experimental warning.
 */
async function convertFile(path: string, { requireBuiltins = false } = {}): Promise<void> {
  let source = (await readFile(path, 'utf8'))
    // a chunk of this build: required when the import runs (any other specifier stays an import())
    .replace(/\bimport\((["'])(\.\/[^"']+\.cjs)\1\)/g, 'Promise.resolve().then(()=>require($1$2$1))')
    .replaceAll('import.meta.url', 'require("node:url").pathToFileURL(__filename).href');
  if (requireBuiltins) {
    source = source.replace(
      /\bimport\((["'])((?:node:)?[a-z_/]+)\1\)/g,
      (whole, quote: string, name: string) =>
        builtinModules.includes(name.replace(/^node:/, ''))
          ? `Promise.resolve().then(()=>require(${quote}${name}${quote}))`
          : whole,
    );
  }
  const { code } = await transform(source, {
    format: 'cjs',
    loader: 'js',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
  });
  await writeFile(path, code);
}
