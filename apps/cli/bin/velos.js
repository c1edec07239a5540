#!/usr/bin/env node
// CommonJS (bin/package.json): the `velos list` and `velos start <script>` paths never load Node's ESM loader.

// Node >= 22.1 keeps V8's compiled code of the CLI's modules between runs, in its default cache
// directory (a good part of the CLI's start-up is compiling them); Node 20 has no such cache.
require('node:module').enableCompileCache?.();

// `velos list|ls|l|status [--json|--ai]` and `velos daemon …` run from dist/velos.cjs (one self-contained
// CommonJS file, see src/hot-path.ts); any other command line goes straight to the full CLI, without reading
// that file first.
const [command, ...rest] = process.argv.slice(2);
const LIST_NAMES = ['list', 'ls', 'l', 'status'];
const isHotPath = (LIST_NAMES.includes(command) && rest.length <= 1) || command === 'daemon';
// `velos start <script> [--name <name>] [--json|--ai] [-- args]` from dist/velos-start.cjs (src/start-entry.ts,
// self-contained too; it hands any other start line to the full CLI). A config file or a PM2 process file
// among the words goes to the full CLI at once.
const CONFIG_WORD = /\.(json|ya?ml|toml)$|(^|\/)ecosystem[^/]*\.[cm]?js$|\.config\.[cm]?js$/i;
const isQuickStart = command === 'start' && rest.length <= 6 && !rest.some((word) => CONFIG_WORD.test(word));
// `velos monit` likewise from dist/monit-entry.js (the dashboard's splash and loader, see src/monit-entry.ts)
const isMonit = ['monit', 'monitor', 'dash'].includes(command) && rest.length === 0;
if (isHotPath) require('../dist/velos.cjs');
else if (isQuickStart) require('../dist/velos-start.cjs');
else import(isMonit ? '../dist/monit-entry.js' : '../dist/cli.js');
