#!/usr/bin/env node
// CommonJS (bin/package.json): the `velos list` and `velos start <script>` paths never load Node's ESM loader.

const [command, ...rest] = process.argv.slice(2);
// `velos list|ls|l|ps|status [--json|--ai]` runs from dist/velos.cjs (one self-contained CommonJS file, see
// src/hot-path.ts); `velos start <script> [--name <name>] [--json|--ai] [-- args]` from dist/velos-start.cjs
// (src/start-entry.ts, self-contained too). Each tells whether it took the line (`isTaken`): the full CLI
// runs any other. A config file or a PM2 process file among the words goes to the full CLI at once.
const LIST_NAMES = ['list', 'ls', 'l', 'ps', 'status'];
// `velos monit` and its aliases (PM2's imonit and dashboard too); a test holds both lists to the command table
const MONIT_NAMES = ['monit', 'monitor', 'dash', 'dashboard', 'imonit'];
const CONFIG_WORD = /\.(json|ya?ml|toml)$|(^|\/)ecosystem[^/]*\.[cm]?js$|\.config\.[cm]?js$/i;
const isQuickStart = command === 'start' && rest.length <= 6 && !rest.some((word) => CONFIG_WORD.test(word));
// the build's stamp of a quick bundle's content hash, the key of its code cache (src/cache-key-stamp.ts)
const CACHE_KEY_STAMP = '/*velos-cache-key:';
// `velos __complete …` (each Tab of the completion scripts) from dist/velos-complete.cjs (src/complete-entry.ts)
const quick =
  LIST_NAMES.includes(command) && rest.length <= 1
    ? 'velos.cjs'
    : isQuickStart
      ? 'velos-start.cjs'
      : command === '__complete'
        ? 'velos-complete.cjs'
        : null;

if (command === 'start' && rest.includes('--no-daemon')) {
  // a container's `velos start … --no-daemon`: a SIGTERM or SIGINT before its daemon has handlers of its
  // own (the CLI still loading or probing the home) ends it with status 0, as nothing runs yet; it was
  // killed by the signal (143). Once the daemon has its handlers, they alone stop the apps.
  const stopEarly = (signal) => {
    if (process.listenerCount(signal) === 1) process.exit(0);
  };
  process.on('SIGTERM', stopEarly);
  process.on('SIGINT', stopEarly);
}

if (command === 'daemon' && (rest.length === 0 || (rest.length === 1 && rest[0] === '--foreground'))) {
  // `velos daemon [--foreground]` (systemd, launchd, containers): the daemon's own entry, as the client
  // starts it, without the CLI's command table around it (a few MB less RSS for the life of the daemon)
  require('../dist/daemon.cjs');
} else if (quick === null || !runQuickBundle(quick).isTaken) {
  // Node >= 22.1 keeps V8's compiled code of the CLI's modules between runs, in its default cache
  // directory (a good part of the CLI's start-up is compiling them); on Node 20 this file keeps it.
  const { enableCompileCache } = require('node:module');
  if (enableCompileCache) enableCompileCache();
  else cacheFullCliCode();
  // `velos monit` without arguments from dist/monit-entry.js (the dashboard's splash and loader, see src/monit-entry.ts)
  const isMonit = MONIT_NAMES.includes(command) && rest.length === 0;
  if (isMonit) import('../dist/monit-entry.js');
  else require('../dist/cli.cjs');
}

/**
 * Runs a quick bundle of dist/ with V8's code cache of an earlier run, kept in `$VELOS_HOME/cache` as
 * monit's is (issue 17): written when the command exits, it holds every function the run compiled,
 * where Node's compile cache (>= 22.1; Node 20 has none) holds only what is compiled when a module
 * loads. It lives here, not in a module of its own: requiring one took ~1 ms. The bundles require
 * built-in modules only (this file's `require` serves them) and carry their build's content hash on
 * their first line (src/cache-key-stamp.ts), the cache's key; they have no `import()`, which a script
 * cannot run (apps/cli/test/quick-bundles.test.ts checks both).
 */
function runQuickBundle(name) {
  const { readFileSync } = require('node:fs');
  const { dirname, join } = require('node:path');
  const { Script } = require('node:vm');
  const file = join(__dirname, '..', 'dist', name);
  const source = readFileSync(file, 'utf8');
  const stampEnd = source.startsWith(CACHE_KEY_STAMP) ? source.indexOf('*/') : -1;
  // V8 checks its version and flags, and the source's length only: the key covers the content
  const key =
    stampEnd < 0
      ? null
      : Buffer.from(`${source.slice(CACHE_KEY_STAMP.length, stampEnd)} ${process.version} ${process.arch}\n`);
  let cacheFile = '';
  let cached;
  try {
    cacheFile = join(cacheDir(), `${name}.v8-cache`);
    cached = key === null ? undefined : readOwnCache(cacheFile, key);
  } catch {
    // no home directory, a cache that is a directory…: the command runs without the cache (and reports)
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    cachedData: cached,
  });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, file, dirname(file));
  // kept after a run that took the line and succeeded: a line the full CLI runs, or a failure, leaves the home as it was
  if (
    key !== null &&
    cacheFile !== '' &&
    module.exports.isTaken &&
    (cached === undefined || script.cachedDataRejected === true)
  ) {
    process.once('exit', (code) => {
      if (code === 0) writeCache(cacheFile, key, script);
    });
  }
  return module.exports;
}

/** `$VELOS_HOME/cache`, the home as src/context.ts resolves it (throws without a home directory). */
function cacheDir() {
  const { join, resolve } = require('node:path');
  return join(resolve(process.env.VELOS_HOME || resolve(require('node:os').homedir(), '.velos')), 'cache');
}

/**
 * Node < 22.1 (no `module.enableCompileCache`): the full CLI's files (dist/cli.cjs and its `*.cli.cjs`
 * chunks) are compiled with V8's code cache of an earlier run, one file each in `$VELOS_HOME/cache/cli`,
 * keyed by the build's stamp of the file's content (src/cache-key-stamp.ts) and checked as the quick
 * bundles' are; a file without one, or rejected by V8, is written when a command exits with 0 in a home
 * that has the quick bundles' cache directory (a --dry-run leaves a bare home as it was), holding
 * every function that command compiled: ~15–25 ms less CPU per command on Node 20 (docs/benchmarks.md,
 * session 35). What the CLI loads from elsewhere (@velos/api for `velos serve`), and the few files that
 * `import()` an ES module, compile as before.
 */
function cacheFullCliCode() {
  const Module = require('node:module');
  const { basename, dirname, join } = require('node:path');
  const { Script } = require('node:vm');
  const dist = join(__dirname, '..', 'dist');
  let dir;
  try {
    dir = join(cacheDir(), 'cli');
  } catch {
    return;
  }
  /** Files compiled without a usable cache: [cache file, key, script], written at exit. */
  const fresh = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename, ...rest) {
    // a file that can import() an ES module (@velos/api, an ecosystem.config.mjs) loads as Node loads it: a vm
    // script's import() needs vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, experimental on Node 20 (a warning)
    const isCached =
      filename.endsWith('cli.cjs') &&
      dirname(filename) === dist &&
      content.startsWith(CACHE_KEY_STAMP) &&
      !content.includes('import(');
    // `rest`: Node >= 20.19 passes the format ('module' for a .js file of a "type": "module" package,
    // which require() then runs as an ES module): dropping it ran such a process file as CommonJS
    if (!isCached) return compile.call(this, content, filename, ...rest);
    const key = Buffer.from(
      `${content.slice(CACHE_KEY_STAMP.length, content.indexOf('*/'))} ${process.version} ${process.arch}\n`,
    );
    const cacheFile = join(dir, `${basename(filename)}.v8-cache`);
    const cached = readOwnCache(cacheFile, key);
    const script = new Script(Module.wrap(content), { filename, cachedData: cached });
    if (cached === undefined || script.cachedDataRejected === true) fresh.push([cacheFile, key, script]);
    const requireHere = (id) => this.require(id);
    requireHere.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
    requireHere.main = require.main;
    requireHere.cache = Module._cache;
    return script
      .runInThisContext()
      .call(this.exports, this.exports, requireHere, this, filename, dirname(filename));
  };
  process.once('exit', (code) => {
    if (code !== 0 || fresh.length === 0) return;
    const { existsSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
    // beside the quick bundles' caches only: a home without them (a --dry-run, `velos kill` with no
    // daemon, a home being set up) is left as it is
    if (!existsSync(dirname(dir))) return;
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch {
      // there already: the writes tell
    }
    for (const [file, key, script] of fresh) writeCache(file, key, script);
    // the caches of files an earlier build had and this one has not
    try {
      for (const name of readdirSync(dir)) {
        if (name.endsWith('.v8-cache') && !existsSync(join(dist, name.slice(0, -'.v8-cache'.length))))
          rmSync(join(dir, name), { force: true });
      }
    } catch {
      // nothing to prune
    }
  });
}

/** The code cache in `file` when it starts with `key` and is this user's, writable by nobody else (V8 runs it). */
function readOwnCache(file, key) {
  const { closeSync, fstatSync, openSync, readFileSync } = require('node:fs');
  let fd;
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
    return data.length > key.length && data.subarray(0, key.length).equals(key)
      ? data.subarray(key.length)
      : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Keeps the script's code cache for the next run: 0600 in a 0700 directory of an existing home, else nothing. */
function writeCache(file, key, script) {
  const { mkdirSync, renameSync, writeFileSync } = require('node:fs');
  const { dirname } = require('node:path');
  try {
    // the home exists once a daemon runs; the cache never creates it
    mkdirSync(dirname(file), { mode: 0o700 });
  } catch {
    // there already, or no home: the write tells
  }
  try {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, Buffer.concat([key, script.createCachedData()]), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // no home, or a read-only one: the next run compiles again
  }
}
