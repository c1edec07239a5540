import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { CACHE_KEY_STAMP } from './cache-key-stamp.js';
import { resolveHome } from './context.js';

/** What a quick-path bundle tells bin/velos.js: whether it took the command line (else the full CLI runs it). */
export interface QuickBundleExports {
  isTaken?: boolean;
}

// The CommonJS wrapper Node puts around a module (exports, require, module, __filename, __dirname)
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n})';

/**
 * Runs a quick-path bundle of dist/ (`velos.cjs`, `velos-start.cjs`, issue 17) with V8's code cache of an
 * earlier run, kept in `$VELOS_HOME/cache` as monit's is: written when the command exits, it holds every
 * function the run compiled, where Node's compile cache (≥ 22.1; Node 20 has none) holds only what is
 * compiled when a module loads. The bundles require built-in modules only: `requireBuiltin` is the
 * binary's `require`, which saves loading `node:module` for a `createRequire` (~0.5 ms on Node 20).
 */
export function runQuickBundle(name: string, requireBuiltin: NodeJS.Require): QuickBundleExports {
  const file = join(__dirname, name);
  const source = readFileSync(file, 'utf8');
  const cache = cacheOf(source, join(resolveHome(process.env), 'cache'), `${name}.v8-cache`);
  const script = new Script(WRAPPER_START + source + WRAPPER_END, {
    filename: file,
    cachedData: cache?.data,
  });
  if (cache !== null && (cache.data === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => cache.save(script.createCachedData()));
  }
  const module = { exports: {} as QuickBundleExports };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, requireBuiltin, module, file, dirname(file));
  return module.exports;
}

interface BundleCache {
  /** The cached data of an earlier run, if any. */
  data: Buffer | undefined;
  /** Keeps `data` for the next run; errors are ignored (a read-only home: the next run compiles). */
  save(data: Buffer): void;
}

/** The cache of a bundle stamped by the build (`CACHE_KEY_STAMP`), or null for one without a stamp. */
function cacheOf(source: string, dir: string, fileName: string): BundleCache | null {
  const end = source.startsWith(CACHE_KEY_STAMP) ? source.indexOf('*/') : -1;
  if (end < 0) return null;
  // V8 checks its version and flags, and the source's length only: the key covers the content
  const key = Buffer.from(
    `${source.slice(CACHE_KEY_STAMP.length, end)} ${process.version} ${process.arch}\n`,
  );
  const file = join(dir, fileName);
  return {
    data: readOwnCache(file, key),
    save(data) {
      try {
        // the home exists once the daemon runs; the cache never creates it
        mkdirSync(dir, { mode: 0o700 });
      } catch {
        // there already, or no home: the write below tells
      }
      try {
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, Buffer.concat([key, data]), { mode: 0o600 });
        renameSync(temporary, file);
      } catch {
        // no home, or a read-only one: the next run compiles again
      }
    },
  };
}

/**
 * The cached data in `file` when its key (the head of the file) is `key`, and the file is this user's,
 * writable by nobody else (a cache is code V8 runs).
 */
function readOwnCache(file: string, key: Buffer): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    const uid = process.getuid?.();
    if ((uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) return undefined;
    const data = readFileSync(fd);
    if (data.length <= key.length || !data.subarray(0, key.length).equals(key)) return undefined;
    return data.subarray(key.length);
  } finally {
    closeSync(fd);
  }
}
