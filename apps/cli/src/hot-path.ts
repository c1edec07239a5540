import { fileURLToPath } from 'node:url';
import { runList } from './commands/list.js';
import { createContext, type OutputMode } from './context.js';
import { exitQuietlyOnEpipe, reportError } from './report-error.js';

/**
 * The entry of the `velos` binary. `velos list` is the command scripts and monitors call in a loop,
 * so it runs from this one self-contained module (no chunks to resolve and read); every other
 * command line is handed to the full CLI, loaded on demand.
 */
const mode = hotListMode(process.argv.slice(2));
if (mode === null) {
  // A computed specifier: the bundler must leave the full CLI in its own file, next to this one.
  const fullCli = './cli.js';
  await import(fullCli);
} else {
  exitQuietlyOnEpipe();
  // A daemon started from here runs its own entry, which loads neither this bundle nor the CLI.
  const ctx = createContext(mode, fileURLToPath(new URL('./daemon.js', import.meta.url)));
  try {
    await runList(ctx);
  } catch (error) {
    process.exitCode = reportError(error);
  } finally {
    await ctx.dispose();
  }
}

/** The output mode when the arguments are exactly `list|ls [--json|--ai]`, else null. */
function hotListMode(args: string[]): OutputMode | null {
  if ((args[0] !== 'list' && args[0] !== 'ls') || args.length > 2) return null;
  if (args.length === 1) return 'text';
  if (args[1] === '--json') return 'json';
  if (args[1] === '--ai') return 'ai';
  return null;
}
