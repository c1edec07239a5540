import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { CACHE_KEY_STAMP } from '../cache-key-stamp.js';

/** A CommonJS file run by `requireWithCodeCache`, and how to keep its compiled code for the next run. */
export interface CachedModule<T> {
  exports: T;
  /** Whether the code came from a cache written by an earlier run. */
  isCacheHit: boolean;
  /**
   * Writes V8's code cache of every function compiled so far (call it once the work worth caching has
   * run); nothing when the cache read was used. Errors are ignored: the cache is an optimisation only.
   */
  saveCache(): void;
}

/** The CommonJS wrapper Node puts around a module (exports, require, module, __filename, __dirname). */
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n})';

export { CACHE_KEY_STAMP };

/** A CommonJS file compiled by `compileWithCodeCache`, not run yet. */
export interface CompiledModule<T> {
  /** Whether the code came from a cache written by an earlier run. */
  isCacheHit: boolean;
  /** Runs the file's code (once): its exports, and how to keep its compiled code. */
  run(): CachedModule<T>;
}

/**
 * Runs the CommonJS file `file` with V8's code cache kept in `cacheDir` (one file per script): on a
 * hit, V8 skips parsing and compiling every function the run that wrote the cache had compiled.
 * Node ≥ 22.1 has a compile cache of its own, but it keeps only what is compiled when a module loads,
 * and Node 20 has none: `velos monit` loads ink, react and yoga (~0.4 MB) this way on both.
 */
export function requireWithCodeCache<T>(file: string, cacheDir: string): CachedModule<T> {
  return compileWithCodeCache<T>(file, cacheDir).run();
}

/**
 * The first half of `requireWithCodeCache`: reads `file` and its cache and compiles it, so that a
 * caller can do it while it waits for something else (monit, for the daemon's first answer).
 */
export function compileWithCodeCache<T>(file: string, cacheDir: string): CompiledModule<T> {
  const source = readFileSync(file, 'utf8');
  // V8 checks its version and flags, and the source's length only: the key covers the content
  const key = Buffer.from(`${contentKey(source)} ${process.version} ${process.arch}\n`);
  const cacheFile = join(cacheDir, `${basename(file)}.v8-cache`);
  const cached = readCache(cacheFile, key);
  const script = new Script(WRAPPER_START + source + WRAPPER_END, { filename: file, cachedData: cached });
  const isCacheHit = cached !== undefined && !script.cachedDataRejected;
  let loaded: CachedModule<T> | undefined;
  return {
    isCacheHit,
    run() {
      loaded ??= runScript<T>(script, file, isCacheHit, (data) => {
        mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temporary, Buffer.concat([key, data]), { mode: 0o600 });
        renameSync(temporary, cacheFile);
      });
      return loaded;
    },
  };
}

/** Runs a compiled CommonJS wrapper; `write` keeps V8's code cache when saveCache is called. */
function runScript<T>(
  script: Script,
  file: string,
  isCacheHit: boolean,
  write: (data: Buffer) => void,
): CachedModule<T> {
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  let isSaved = isCacheHit;
  return {
    exports: module.exports,
    isCacheHit,
    saveCache() {
      if (isSaved) return;
      isSaved = true;
      try {
        write(script.createCachedData());
      } catch {
        // a read-only or full home: the next run compiles again
      }
    },
  };
}

/** The sha-256 of `source`: the build's stamp when it has one, else computed. */
function contentKey(source: string): string {
  if (source.startsWith(CACHE_KEY_STAMP)) {
    const end = source.indexOf('*/');
    if (end > CACHE_KEY_STAMP.length) return source.slice(CACHE_KEY_STAMP.length, end);
  }
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(source).digest('hex');
}

/** The cached data in `cacheFile` when its key (the head of the file) is `key`. */
function readCache(cacheFile: string, key: Buffer): Buffer | undefined {
  try {
    const data = readFileSync(cacheFile);
    if (data.length <= key.length || !data.subarray(0, key.length).equals(key)) return undefined;
    return data.subarray(key.length);
  } catch {
    return undefined;
  }
}
