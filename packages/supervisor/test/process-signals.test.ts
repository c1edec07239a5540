import { describe, expect, it } from 'vitest';
import { signalRecords } from '../src/process-signals.js';

describe('signalRecords', () => {
  it('refuses a signal the platform does not know, naming the field signal', () => {
    expect(() => signalRecords([], 'SIGFOO', 'api')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', data: { signal: 'SIGFOO', field: 'signal' } }),
    );
  });
});
