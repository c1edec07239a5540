import { closeSync, constants, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

/** A script's `#!` line as Linux reads it: the interpreter's path, and the rest of the line as one argument. */
export interface Shebang {
  program: string;
  /** What follows the program on the line, trimmed (`python3` of `#!/usr/bin/env python3`); none when empty. */
  arg?: string;
}

const SHEBANG_BYTES = 256;

/**
 * Reads a script's `#!` line; null when the file has none or cannot be read (a FIFO is not waited on).
 * @example readShebang('/srv/bin/worker') // → { program: '/usr/bin/env', arg: 'python3' }
 */
export function readShebang(path: string): Shebang | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const head = Buffer.alloc(SHEBANG_BYTES);
    const line = head
      .subarray(0, readSync(fd, head, 0, SHEBANG_BYTES, 0))
      .toString('latin1')
      .split('\n')[0]!
      .replace(/\r$/, '');
    if (!line.startsWith('#!')) return null;
    const match = /^\s*(\S+)\s*(.*?)\s*$/.exec(line.slice(2));
    if (!match) return null;
    return match[2] ? { program: match[1]!, arg: match[2] } : { program: match[1]! };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The program a `#!` line runs: its interpreter, or what `env` runs (`node` of `#!/usr/bin/env -S node --x`). */
export function shebangProgram(shebang: Shebang): string {
  const program = basename(shebang.program);
  if (program !== 'env') return program;
  return (shebang.arg ?? '').split(/\s+/).find((word) => word !== '' && !word.startsWith('-')) ?? '';
}
