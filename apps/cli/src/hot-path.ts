import { fileURLToPath } from 'node:url';
import { runList } from './commands/list.js';
import { createContext, type OutputMode } from './context.js';
import { exitOnceWritten } from './exit-once-written.js';
import { exitQuietlyOnEpipe, reportError } from './report-error.js';

/**
 * The entry of the `velos` binary. `velos list` is the command scripts and monitors call in a loop,
 * so it runs from this one self-contained module (no chunks to resolve and read); every other
 * command line is handed to the full CLI, loaded on demand.
 */
const args = process.argv.slice(2);
const mode = hotListMode(args);
if (isDaemonLine(args)) {
  // `velos daemon [--foreground]` (systemd, launchd, containers): the daemon's own entry, as the client
  // starts it, without the CLI's command table around it (a few MB less RSS for the life of the daemon)
  const daemonEntry = './daemon.cjs';
  await import(daemonEntry);
} else if (mode === null) {
  // A computed specifier: the bundler must leave the full CLI in its own file, next to this one.
  const fullCli = './cli.js';
  await import(fullCli);
} else {
  exitQuietlyOnEpipe();
  // A daemon started from here runs its own entry, which loads neither this bundle nor the CLI.
  const ctx = createContext(mode, fileURLToPath(new URL('./daemon.cjs', import.meta.url)));
  try {
    await runList(ctx);
  } catch (error) {
    process.exitCode = reportError(error);
  } finally {
    await ctx.dispose();
  }
  exitOnceWritten();
}

/** True for exactly `daemon` or `daemon --foreground`. */
function isDaemonLine(args: string[]): boolean {
  return args[0] === 'daemon' && (args.length === 1 || (args.length === 2 && args[1] === '--foreground'));
}

/** The output mode when the arguments are exactly `list|ls|l|status [--json|--ai]` (PM2's aliases too), else null. */
function hotListMode(args: string[]): OutputMode | null {
  const command = args[0];
  const isList = command === 'list' || command === 'ls' || command === 'l' || command === 'status';
  if (!isList || args.length > 2) return null;
  if (args.length === 1) return 'text';
  if (args[1] === '--json') return 'json';
  if (args[1] === '--ai') return 'ai';
  return null;
}
