// The daemon's own entry (what the client starts): `velos daemon` without the CLI around it, so the
// daemon process never loads the command table, help texts and output code (less idle RSS).
import { resolveHome } from './context.js';
import { createDaemonExtensions } from './daemon-extensions.js';
import { reportError } from './report-error.js';

const isForeground = process.argv.slice(2).includes('--foreground');
try {
  const { runDaemon } = await import('@velos/supervisor');
  const home = resolveHome(process.env);
  await runDaemon({ home, foreground: isForeground, extensions: createDaemonExtensions() });
} catch (error) {
  process.exitCode = reportError(error);
}
