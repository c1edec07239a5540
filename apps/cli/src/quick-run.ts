import { join } from 'node:path';
import { type Connection, connectDaemon } from '@velos/client/quick';
import {
  type CommandContext,
  DAEMON_NODE_FLAGS,
  lateTierUpFlags,
  type OutputMode,
  printWarnings,
  resolveHome,
} from './context.js';
import { exitOnceWritten } from './exit-once-written.js';
import { createColors, isColorWanted } from './output/colors.js';
import { exitQuietlyOnEpipe, reportError } from './report-error.js';

/**
 * Runs one command of the CLI's quick paths (issue 17: `velos list`, `velos start <script>`, built as
 * CommonJS bundles that read no ESM loader, no command table and no msgpackr): it connects to the
 * daemon as the full client does (starting it when none runs, its start-up warnings on stderr), hands
 * the connection to `body`, reports an error as `velos: <message>` with its exit code, and exits as soon
 * as the output is written. `dist` is the directory of the bundles (where dist/daemon.cjs is).
 */
export async function runQuick(
  mode: OutputMode,
  dist: string,
  body: (connection: Connection, ctx: CommandContext) => Promise<void>,
): Promise<void> {
  exitQuietlyOnEpipe();
  const ctx = printingContext(mode);
  let connection: Connection | null = null;
  try {
    connection = (
      await connectDaemon(ctx.home, {
        entry: join(dist, 'daemon.cjs'),
        nodeFlags: [...DAEMON_NODE_FLAGS, ...lateTierUpFlags(process.versions.v8), ...process.execArgv],
        onStarted: (daemon) => printWarnings(daemon.warnings),
      })
    ).connection;
    await body(connection, ctx);
  } catch (error) {
    process.exitCode = reportError(error);
  } finally {
    await connection?.close();
  }
  exitOnceWritten();
}

/**
 * The printing part of `createContext` (context.ts), the same for `list` and `start`: without its
 * `client()`, whose lazy import of the full client (and the protocol's command table) the bundler would
 * otherwise put in these bundles. test/e2e/quick-paths.test.ts compares the output with the full CLI's.
 */
function printingContext(mode: OutputMode): CommandContext {
  const isTTY = process.stdout.isTTY === true;
  const write = (text: string): void => {
    process.stdout.write(text);
  };
  return {
    home: resolveHome(process.env),
    mode,
    isTTY,
    colors: createColors(mode === 'text' && isColorWanted(process.stdout, process.env)),
    print: (text) => write(`${text}\n`),
    printJson: (value) => write(`${JSON.stringify(value, null, isTTY && mode === 'json' ? 2 : undefined)}\n`),
    client: () => Promise.reject(new Error('the quick paths talk to the daemon through runQuick')),
    dispose: () => Promise.resolve(),
  };
}
