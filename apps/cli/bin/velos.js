#!/usr/bin/env node
// CommonJS (bin/package.json): the `velos list` and `velos start <script>` paths never load Node's ESM loader.

const [command, ...rest] = process.argv.slice(2);
// `velos list|ls|l|status [--json|--ai]` runs from dist/velos.cjs (one self-contained CommonJS file, see
// src/hot-path.ts); `velos start <script> [--name <name>] [--json|--ai] [-- args]` from dist/velos-start.cjs
// (src/start-entry.ts, self-contained too). Each tells whether it took the line (`isTaken`): the full CLI
// runs any other. A config file or a PM2 process file among the words goes to the full CLI at once.
const LIST_NAMES = ['list', 'ls', 'l', 'status'];
const CONFIG_WORD = /\.(json|ya?ml|toml)$|(^|\/)ecosystem[^/]*\.[cm]?js$|\.config\.[cm]?js$/i;
const isQuickStart = command === 'start' && rest.length <= 6 && !rest.some((word) => CONFIG_WORD.test(word));
// the build's stamp of a quick bundle's content hash, the key of its code cache (src/cache-key-stamp.ts)
const CACHE_KEY_STAMP = '/*velos-cache-key:';
const quick =
  LIST_NAMES.includes(command) && rest.length <= 1 ? 'velos.cjs' : isQuickStart ? 'velos-start.cjs' : null;

if (command === 'daemon' && (rest.length === 0 || (rest.length === 1 && rest[0] === '--foreground'))) {
  // `velos daemon [--foreground]` (systemd, launchd, containers): the daemon's own entry, as the client
  // starts it, without the CLI's command table around it (a few MB less RSS for the life of the daemon)
  require('../dist/daemon.cjs');
} else if (quick === null || !runQuickBundle(quick).isTaken) {
  // Node >= 22.1 keeps V8's compiled code of the CLI's modules between runs, in its default cache
  // directory (a good part of the CLI's start-up is compiling them); Node 20 has no such cache.
  require('node:module').enableCompileCache?.();
  // `velos monit` without arguments from dist/monit-entry.js (the dashboard's splash and loader, see src/monit-entry.ts)
  const isMonit = ['monit', 'monitor', 'dash'].includes(command) && rest.length === 0;
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
  const { dirname, join, resolve } = require('node:path');
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
    // the home as src/context.ts resolves it
    const home = resolve(process.env.VELOS_HOME || resolve(require('node:os').homedir(), '.velos'));
    cacheFile = join(home, 'cache', `${name}.v8-cache`);
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
