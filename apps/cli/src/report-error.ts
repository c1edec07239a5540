import { isVelosError } from '@velos/core';

/** Prints an error as the one line `velos: <message>` on stderr and returns the exit code it carries. */
export function reportError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  const text = isVelosError(error) ? message : `internal error: ${message}`;
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
