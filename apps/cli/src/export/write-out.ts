import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCodes, makeDirectories, VelosError } from '@velos/core';
import type { ExportFile } from './export-file.js';

/** Mode of a file that holds values that look secret: its owner's only. */
const SECRET_FILE_MODE = 0o600;

/**
 * Writes an export's files into `out` (made if missing) and returns their paths. Each file is written
 * beside its place and renamed over it, so that a file of secret values is never readable by others,
 * not even for a moment, also when a looser file of that name was there before. A directory that
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
    const temp = join(dir, `.${file.name}.${process.pid}.tmp`);
    const isSecret = (file.secrets ?? []).length > 0;
    try {
      writeFileSync(temp, file.text, isSecret ? { mode: SECRET_FILE_MODE } : {});
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw outError(out, file.name, written, error);
    }
    return path;
  });
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
