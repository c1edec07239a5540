import type { ProcessInfo } from '@velos/core';
import type { OutputMode } from './context.js';
import { loadOutput, runQuick } from './quick-run.js';

/**
 * `velos list|ls|l|ps|status [--json|--ai]`, the command scripts and monitors call in a loop: bin/velos.js
 * runs this CommonJS bundle (dist/velos.cjs, with its code cache) for those lines, and the full CLI when
 * it does not take the line (`isTaken` false). Built as CommonJS (no ESM loader) with the small
 * MessagePack codec of the client (see quick-run.ts).
 */
const mode = hotListMode(process.argv.slice(2));

/** Whether this bundle runs the command line; bin/velos.js hands any other to the full CLI. */
export const isTaken = mode !== null;

if (mode !== null) {
  void runQuick(__dirname, async (connection) => {
    const [output, result] = await Promise.all([loadOutput(), connection.request('list', {})]);
    await output.printProcessList(mode, (result as { processes: ProcessInfo[] }).processes);
  });
}

/** The output mode when the arguments are exactly `list|ls|l|ps|status [--json|--ai]` (PM2's aliases too), else null. */
function hotListMode(args: string[]): OutputMode | null {
  const command = args[0];
  const isList = ['list', 'ls', 'l', 'ps', 'status'].includes(command ?? '');
  if (!isList || args.length > 2) return null;
  if (args.length === 1) return 'text';
  if (args[1] === '--json') return 'json';
  if (args[1] === '--ai') return 'ai';
  return null;
}
