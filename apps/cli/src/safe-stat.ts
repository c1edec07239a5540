import { type Stats, statSync } from 'node:fs';

/**
 * The stats of `path`, or undefined when there is no file there or none could be: a name longer than
 * the file system takes (ENAMETOOLONG), a path through a file (ENOTDIR), a directory the user cannot
 * search (EACCES). `statSync`'s `throwIfNoEntry: false` covers ENOENT only: the others ended commands in
 * "internal error: ENAMETOOLONG" or a raw stack trace (session 31's CLI sweep).
 */
export function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** True when `path` is a regular file (`statOf`: a path no file can have is none). */
export function isFile(path: string): boolean {
  return statOf(path)?.isFile() === true;
}
