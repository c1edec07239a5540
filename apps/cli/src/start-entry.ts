import { currentPlace, parseQuickStart, quickStartSpec, runQuickStart } from './commands/start-quick.js';
import { resolveHome } from './context.js';
import { runQuick } from './quick-run.js';

/**
 * The entry of `velos start <script> [--name <name>] [--json|--ai] [-- args]` (issue 17): the command
 * scripts call once per app, run from this one CommonJS bundle (dist/velos-start.cjs: no ESM loader, no
 * schema library, no command table, no msgpackr, see quick-run.ts); a start line it does not take is
 * handed to the full CLI, which then does everything as if called directly.
 */
const quick = parseQuickStart(process.argv.slice(2));
const spec = quick === null ? null : quickStartSpec(quick, resolveHome(process.env), currentPlace());
if (quick === null || spec === null) {
  // A computed specifier: the bundler must leave the full CLI in its own file, next to this one.
  const fullCli = './cli.js';
  void import(fullCli);
} else {
  void runQuick(__dirname, (connection) => runQuickStart(connection, quick.mode, spec));
}
