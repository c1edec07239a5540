import { describe, expect, it } from 'vitest';
import { rejectionOf } from '../src/index.js';

class CodedError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const isCodedError = (error: unknown): error is CodedError => error instanceof CodedError;

describe('rejectionOf', () => {
  it('returns the error a promise rejects with when the check accepts it', async () => {
    const error = await rejectionOf(Promise.reject(new CodedError('NOT_FOUND')), isCodedError);
    expect(error.code).toBe('NOT_FOUND');
  });

  it('fails when the promise resolves, or rejects with an error the check refuses', async () => {
    await expect(rejectionOf(Promise.resolve(42), isCodedError)).rejects.toThrow(
      'expected a rejection with an error that isCodedError accepts, got a resolved promise (42)',
    );
    await expect(rejectionOf(Promise.reject(new Error('boom')), isCodedError)).rejects.toThrow(
      'expected a rejection with an error that isCodedError accepts, got Error: boom',
    );
  });
});
