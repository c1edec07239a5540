import { type FileHandle, open } from 'node:fs/promises';
import { ErrorCodes, VelosError } from '@velos/core';

/** Opens a log file for reading; null when it does not exist (yet, or any more). */
export async function openLogForReading(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw logReadError(path, error);
  }
}

/** The error of a log file that could not be read. */
export function logReadError(path: string, error: unknown): VelosError {
  return new VelosError(ErrorCodes.IO_ERROR, `cannot read log file ${path}: ${(error as Error).message}`, {
    cause: error,
  });
}
