// The velos-server binary: arguments, then runServer; errors are one line on stderr.
import { ErrorCodes, isVelosError, VELOS_VERSION } from '@velos/core';
import { runServer } from './run-server.js';
import { parseServerArgv, SERVER_HELP, USAGE_EXIT_CODE } from './server-argv.js';

try {
  const command = parseServerArgv(process.argv.slice(2));
  if (command.kind === 'help') process.stdout.write(`${SERVER_HELP}\n`);
  else if (command.kind === 'version') process.stdout.write(`${VELOS_VERSION}\n`);
  else {
    const exitCode = await runServer(command);
    // the daemon may leave timers behind (it exits itself a second after a stop): end now, with our status
    process.exit(exitCode);
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `velos-server: ${(isVelosError(error) ? message : `internal error: ${message}`).replace(/\s*\n\s*/g, ' ')}\n`,
  );
  process.exitCode = exitCodeOf(error);
}

/** 2 for what the caller can fix in the command line or the config file, else 1. */
function exitCodeOf(error: unknown): number {
  if (!isVelosError(error)) return 1;
  const data = error.data as { exitCode?: unknown } | undefined;
  if (typeof data?.exitCode === 'number') return data.exitCode;
  const isUsage = error.code === ErrorCodes.INVALID_CONFIG || error.code === ErrorCodes.CONFIG_NOT_FOUND;
  return isUsage ? USAGE_EXIT_CODE : 1;
}
