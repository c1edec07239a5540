/**
 * Ends a short-lived command as soon as what it printed is written (issue 17): Node's orderly exit
 * tears down the heap and its worker threads first, several milliseconds of a `velos list` or
 * `velos start` that has nothing left to do. Output still queued for a slow reader is left to the
 * normal exit, which waits for it. The exit code is `process.exitCode`, as on a normal exit.
 */
export function exitOnceWritten(): void {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}
