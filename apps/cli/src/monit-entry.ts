import { fileURLToPath } from 'node:url';
import { runMonit } from './commands/monit.js';
import { createContext } from './context.js';
import { exitQuietlyOnEpipe, reportError } from './report-error.js';

/**
 * The entry of `velos monit` (or one of its aliases) without arguments: bin/velos.js comes here
 * instead of the full CLI, so the splash table is on screen as soon as after `velos list`, and ink's
 * first frame a command table's load earlier (~40 ms of CPU on Node 20). Any other `monit` command
 * line (`--help`, global flags) goes through dist/cli.cjs and ends in the same runMonit.
 */
exitQuietlyOnEpipe();
const ctx = createContext('text', fileURLToPath(new URL('./daemon.cjs', import.meta.url)));
try {
  await runMonit(ctx);
} catch (error) {
  process.exitCode = reportError(error);
} finally {
  await ctx.dispose();
}
