import { isVelosError } from '@velos/core';

/**
 * Prints an error as the one line `velos: <message>` on stderr and returns the exit code it carries.
 * For `--ai` (`isAi`) the line carries the error's code, as the MCP tools' errors do:
 * `velos: TARGET_NOT_FOUND: no process matches "x"` (`INTERNAL` for an error that is not Velos's own).
 */
export function reportError(error: unknown, isAi = false): number {
  const message = error instanceof Error ? error.message : String(error);
  const text = isVelosError(error)
    ? `${isAi ? `${error.code}: ` : ''}${message}`
    : `${isAi ? 'INTERNAL: ' : ''}internal error: ${message}`;
  process.stderr.write(`velos: ${text.replace(/\s*\n\s*/g, ' ')}\n`);
  const data = isVelosError(error) ? (error.data as { exitCode?: unknown } | undefined) : undefined;
  return typeof data?.exitCode === 'number' ? data.exitCode : 1;
}

/** A reader that went away (`velos logs | head`) is not an error: exit quietly on EPIPE. */
export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** True when a command line asks for `--ai` output (before any `--`, after which words are the app's). */
export function isAiRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--ai');
}
