import { resolveHome } from '@velos/core';
import { currentPlace, parseQuickStart, quickStartSpec, runQuickStart } from './commands/start-quick.js';
import { runQuick } from './quick-run.js';

/**
 * The entry of `velos start <script> [--name <name>] [--json|--ai] [-- args]` (issue 17): the command
 * scripts call once per app, run from this one CommonJS bundle (dist/velos-start.cjs: no ESM loader, no
 * schema library, no command table, no msgpackr, see quick-run.ts); a start line it does not take
 * (`isTaken` false) bin/velos.js hands to the full CLI, which then does everything as if called directly.
 */
const quick = parseQuickStart(process.argv.slice(2));
// a home it refuses (a relative VELOS_HOME) is left to the full CLI, which reports it
const spec =
  quick === null || !isHomeValid()
    ? null
    : quickStartSpec(quick, resolveHome(process.env), currentPlace(quick.arg));

/** Whether this bundle runs the command line; bin/velos.js hands any other to the full CLI. */
export const isTaken = quick !== null && spec !== null;

if (quick !== null && spec !== null) {
  void runQuick(__dirname, (connection) => runQuickStart(connection, quick.mode, spec));
}

function isHomeValid(): boolean {
  try {
    resolveHome(process.env);
    return true;
  } catch {
    return false;
  }
}
