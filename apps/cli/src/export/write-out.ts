import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CREATE_EXCLUSIVE, ErrorCodes, makeDirectories, VelosError } from '@velos/core';
import type { ExportFile } from './export-file.js';

/** Mode of a file that holds values that look secret: its owner's only. */
const SECRET_FILE_MODE = 0o600;

/** Mode of any other file, less the umask (as `writeFileSync` makes it). */
const PLAIN_FILE_MODE = 0o666;

/**
 * Writes an export's files into `out` (made if missing) and returns their paths. Each file is written
 * beside its place and renamed over it, so that a file of secret values is never readable by others,
 * not even for a moment, also when a looser file of that name was there before. The file written
 * first has an unguessable name and is created afresh (`O_EXCL`, `O_NOFOLLOW`): a link or a file
 * someone else planted in a shared `--out` is never written through. A directory that
 * cannot be made or written is an IO_ERROR naming `--out` and the file.
 */
export function writeExportFiles(out: string, files: readonly ExportFile[]): string[] {
  const dir = resolve(out);
  try {
    makeDirectories(dir);
  } catch (error) {
    throw outError(out, undefined, 0, error);
  }
  return files.map((file, written) => {
    const path = join(dir, file.name);
    const temp = join(dir, `.${file.name}.${randomBytes(6).toString('hex')}.tmp`);
    const isSecret = (file.secrets ?? []).length > 0;
    try {
      writeFresh(temp, file.text, isSecret ? SECRET_FILE_MODE : PLAIN_FILE_MODE);
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw outError(out, file.name, written, error);
    }
    return path;
  });
}

/** Creates `path`, which must not exist (a symbolic link included), holding `text`. */
function writeFresh(path: string, text: string, mode: number): void {
  const fd = openSync(path, CREATE_EXCLUSIVE, mode);
  try {
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function outError(out: string, name: string | undefined, written: number, error: unknown): VelosError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EEXIST' || code === 'ENOTDIR'
      ? 'it is not a directory'
      : code === 'EISDIR' || code === 'ENOTEMPTY'
        ? 'a directory of that name is in the way'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (error as Error).message;
  const what =
    name !== undefined
      ? `cannot write ${name} (${reason})`
      : code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file is in the way of that directory'
        : `cannot make the directory (${reason})`;
  const done = written === 0 ? 'nothing was written' : `the ${written} files before it were written`;
  return new VelosError(ErrorCodes.IO_ERROR, `--out ${out}: ${what}; ${done}`, {
    cause: error,
  });
}
