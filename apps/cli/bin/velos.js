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
const quick =
  LIST_NAMES.includes(command) && rest.length <= 1 ? 'velos.cjs' : isQuickStart ? 'velos-start.cjs' : null;

if (command === 'daemon' && (rest.length === 0 || (rest.length === 1 && rest[0] === '--foreground'))) {
  // `velos daemon [--foreground]` (systemd, launchd, containers): the daemon's own entry, as the client
  // starts it, without the CLI's command table around it (a few MB less RSS for the life of the daemon)
  require('../dist/daemon.cjs');
} else if (quick === null || !require('../dist/quick-loader.cjs').runQuickBundle(quick, require).isTaken) {
  // Node >= 22.1 keeps V8's compiled code of the CLI's modules between runs, in its default cache
  // directory (a good part of the CLI's start-up is compiling them); Node 20 has no such cache. The quick
  // bundles keep theirs in the home (src/quick-loader.ts).
  require('node:module').enableCompileCache?.();
  // `velos monit` without arguments from dist/monit-entry.js (the dashboard's splash and loader, see src/monit-entry.ts)
  const isMonit = ['monit', 'monitor', 'dash'].includes(command) && rest.length === 0;
  import(isMonit ? '../dist/monit-entry.js' : '../dist/cli.js');
}
