// The daemon's own entry (what the client starts): `velos daemon` without the CLI around it, so the
// daemon process never loads the command table, help texts and output code (less idle RSS). It runs
// as CommonJS (dist/daemon.cjs, see daemon-cjs.ts): no top-level await here.
import { forgetDaemonAllocatorEnv, resolveHome, restoreDeferredCa } from '@velos/core';
import { runDaemon } from '@velos/supervisor';
import { createDaemonExtensions } from './daemon-extensions.js';
import { reportError } from './report-error.js';

forgetDaemonAllocatorEnv(process.env);
restoreDeferredCa(process.env);
const isForeground = process.argv.slice(2).includes('--foreground');
runDaemon({
  home: resolveHome(process.env),
  foreground: isForeground,
  extensions: createDaemonExtensions(),
}).catch((error: unknown) => {
  process.exitCode = reportError(error);
});
