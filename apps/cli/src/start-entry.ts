import { fileURLToPath } from 'node:url';
import { currentPlace, parseQuickStart, quickStartSpec, runQuickStart } from './commands/start-quick.js';
import { createContext, resolveHome } from './context.js';
import { exitOnceWritten } from './exit-once-written.js';
import { exitQuietlyOnEpipe, reportError } from './report-error.js';

/**
 * The entry of `velos start <script> [--name <name>] [--json|--ai] [-- args]` (issue 17): the command
 * scripts call once per app, run from this one self-contained module (dist/velos-start.js: no chunks to
 * resolve and read, no schema library, no command table); a start line it does not take is handed to
 * the full CLI, which then does everything as if called directly.
 */
const quick = parseQuickStart(process.argv.slice(2));
const spec = quick === null ? null : quickStartSpec(quick, resolveHome(process.env), currentPlace());
if (quick === null || spec === null) {
  // A computed specifier: the bundler must leave the full CLI in its own file, next to this one.
  const fullCli = './cli.js';
  await import(fullCli);
} else {
  exitQuietlyOnEpipe();
  // A daemon started from here runs its own entry, which loads neither this bundle nor the CLI.
  const ctx = createContext(quick.mode, fileURLToPath(new URL('./daemon.cjs', import.meta.url)));
  try {
    await runQuickStart(ctx, spec);
  } catch (error) {
    process.exitCode = reportError(error);
  } finally {
    await ctx.dispose();
  }
  exitOnceWritten();
}
