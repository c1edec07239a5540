import { join } from 'node:path';
import { type Connection, connectQuick } from '@velos/client/quick';
import { resolveHome } from '@velos/core';
import { DAEMON_NODE_FLAGS, lateTierUpFlags, printWarnings } from './context.js';
import { exitOnceWritten, switchToStreams } from './quick-stdout.js';
import { isAiRequested, reportError } from './report-error.js';

/**
 * Runs one command of the CLI's quick paths (issue 17: `velos list`, `velos start <script>`, built as
 * CommonJS bundles that read no ESM loader, no command table and no msgpackr): it connects to the
 * daemon as the full client does (starting it when none runs, its start-up warnings on stderr), hands
 * the connection to `body`, reports an error as `velos: <message>` with its exit code, and exits as soon
 * as the output is written. `dist` is the directory of the bundles (where dist/daemon.cjs is).
 * The connection runs over Node's pipe handle and stdout is written without `process.stdout` when they
 * can (`connectQuick`, quick-stdout.ts): `net` and the stream classes then never load.
 */
export async function runQuick(dist: string, body: (connection: Connection) => Promise<void>): Promise<void> {
  let connection: Connection | null = null;
  try {
    connection = (
      await connectQuick(resolveHome(process.env), {
        entry: join(dist, 'daemon.cjs'),
        nodeFlags: [...DAEMON_NODE_FLAGS, ...lateTierUpFlags(process.versions.v8), ...process.execArgv],
        onStarted: (daemon) => {
          switchToStreams();
          printWarnings(daemon.warnings);
        },
      })
    ).connection;
    await body(connection);
  } catch (error) {
    switchToStreams();
    process.exitCode = reportError(error, isAiRequested(process.argv.slice(2)));
  }
  // Not awaited: the exit closes the socket anyway, and waiting for its 'close' took ~1 ms (an event-loop
  // turn). When output is still queued for a slow reader, the normal exit comes after the close.
  void connection?.close();
  exitOnceWritten();
}

/** The printing module of the quick paths, read while the daemon works on the request. */
export function loadOutput(): Promise<typeof import('./quick-output.js')> {
  return import('./quick-output.js');
}
