import type { ProcessInfo } from '@velos/core';
import type { OutputMode } from './context.js';
import { loadOutput, runQuick } from './quick-run.js';

/**
 * `velos list|ls|l|status [--json|--ai]`, the command scripts and monitors call in a loop, and
 * `velos daemon [--foreground]`: bin/velos.js requires this CommonJS bundle (dist/velos.cjs) for those
 * lines; anything else it is given goes to the full CLI. Built as CommonJS (no ESM loader) with the
 * small MessagePack codec of the client (see quick-run.ts).
 */
const args = process.argv.slice(2);
const mode = hotListMode(args);
// computed specifiers: the bundler must leave the daemon and the full CLI in their own files
const daemonEntry = './daemon.cjs';
const fullCli = './cli.js';
if (isDaemonLine(args)) {
  // `velos daemon [--foreground]` (systemd, launchd, containers): the daemon's own entry, as the client
  // starts it, without the CLI's command table around it (a few MB less RSS for the life of the daemon)
  require(daemonEntry);
} else if (mode === null) {
  void import(fullCli);
} else {
  void runQuick(__dirname, async (connection) => {
    const [output, result] = await Promise.all([loadOutput(), connection.request('list', {})]);
    await output.printProcessList(mode, (result as { processes: ProcessInfo[] }).processes);
  });
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
