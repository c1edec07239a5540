import { ErrorCodes, isVelosError, VelosError } from '@velos/core';

/**
 * One `IO_ERROR` for the log files a reopen (`velos reloadLogs`) could not open, each named once:
 * `reopen of /var/log/api/out.log failed: EACCES: …; reopen of …`, and, when some were reopened,
 * how many. An unknown throw among them is an `INTERNAL` error, not blamed on the files.
 */
export function reopenFailure(failures: readonly unknown[], reopenedCount = 0): VelosError {
  const messages = [
    ...new Set(failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)))),
  ];
  const isIo = failures.every((failure) => isVelosError(failure) && failure.code === ErrorCodes.IO_ERROR);
  const others = reopenedCount === 0 ? '' : ` (${reopenedCount} other log file(s) reopened)`;
  return new VelosError(isIo ? ErrorCodes.IO_ERROR : ErrorCodes.INTERNAL, `${messages.join('; ')}${others}`, {
    cause: failures[0],
  });
}
