import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, isVelosError, VelosError } from '@velos/core';
import { messageOf } from './append-file.js';

/**
 * `errno` codes of an open that says the path cannot be a log file: a directory that does not exist
 * or is not one, no permission, a read-only file system, a directory or a symbolic link at the name.
 * Changing the path is the fix, so a request that named it is at fault.
 */
const PATH_FAULTS: ReadonlySet<string> = new Set([
  'ENOENT',
  'ENOTDIR',
  'EACCES',
  'EPERM',
  'EISDIR',
  'EROFS',
  'ELOOP',
  'EMLINK',
  'ENAMETOOLONG',
  'ENXIO',
  'ENODEV',
]);

/**
 * The error of a log file that cannot be opened, naming it: `INVALID_ARGUMENT` when the path is at
 * fault (see `PATH_FAULTS`: the API answers 400), else `IO_ERROR` (no descriptor or space left, a
 * failing disk: the host's trouble, 500).
 */
export function logOpenError(path: string, error: unknown): VelosError {
  const errno = errnoOf(error);
  const code = PATH_FAULTS.has(errno ?? '') ? ErrorCodes.INVALID_ARGUMENT : ErrorCodes.IO_ERROR;
  // the daemon makes no directory for a new log file (the CLI does, as its user, when it can): ENOENT
  // alone read as if the file were missing
  const dir = dirname(path);
  const hint =
    errno === 'ENOENT' && !existsSync(dir) ? ` (its directory ${dir} does not exist: create it first)` : '';
  return new VelosError(code, `cannot open log file ${path}: ${messageOf(error)}${hint}`, { cause: error });
}

/** The `errno` code of a failed open, also under the `VelosError` that refuses a symbolic link. */
function errnoOf(error: unknown): string | undefined {
  const errno = isVelosError(error) ? error.cause : error;
  const code = (errno as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
