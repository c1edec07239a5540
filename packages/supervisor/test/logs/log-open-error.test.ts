import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { logOpenError } from '../../src/logs/log-open-error.js';

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

describe('logOpenError', () => {
  it('is INVALID_ARGUMENT when the path cannot be a log file', () => {
    for (const code of ['ENOENT', 'ENOTDIR', 'EACCES', 'EISDIR', 'EROFS']) {
      const error = logOpenError('/x/out.log', errno(code, 'open'));
      expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
      const hint = code === 'ENOENT' ? ' (its directory /x does not exist: create it first)' : '';
      expect(error.message).toBe(`cannot open log file /x/out.log: ${code}: open${hint}`);
    }
  });

  it('names the directory of a new file when it does not exist (the daemon makes none)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'velos-open-'));
    try {
      const missing = join(dir, 'no', 'such');
      const error = logOpenError(join(missing, 'out.log'), errno('ENOENT', 'open'));
      expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(error.message).toBe(
        `cannot open log file ${missing}/out.log: ENOENT: open (its directory ${missing} does not exist: create it first)`,
      );
      // a directory that is there: the ENOENT is the host's word alone
      expect(logOpenError(join(dir, 'out.log'), errno('ENOENT', 'open')).message).toBe(
        `cannot open log file ${dir}/out.log: ENOENT: open`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is INVALID_ARGUMENT for the refusal of a symbolic link, keeping its words', () => {
    const refusal = new VelosError(
      ErrorCodes.IO_ERROR,
      'refusing to write /x/out.log: it is a symbolic link',
      {
        cause: errno('ELOOP', 'too many symbolic links'),
      },
    );
    const error = logOpenError('/x/out.log', refusal);
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(error.message).toBe(
      'cannot open log file /x/out.log: refusing to write /x/out.log: it is a symbolic link',
    );
  });

  it('is IO_ERROR when the host fails the open', () => {
    for (const code of ['EMFILE', 'ENFILE', 'ENOSPC', 'EIO', 'EDQUOT']) {
      expect(logOpenError('/x/out.log', errno(code, 'open')).code).toBe(ErrorCodes.IO_ERROR);
    }
    expect(logOpenError('/x/out.log', new Error('odd')).code).toBe(ErrorCodes.IO_ERROR);
  });
});
