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
      expect(error.message).toBe(`cannot open log file /x/out.log: ${code}: open`);
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
