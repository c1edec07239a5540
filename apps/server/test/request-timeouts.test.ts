import { describe, expect, it } from 'vitest';
import {
  apiRequestTimeout,
  DEFAULT_ACTION_TIMEOUT_MS,
  DEFAULT_READ_TIMEOUT_MS,
} from '../src/request-timeouts.js';

describe('apiRequestTimeout', () => {
  it('bounds reads by the read timeout and every other command by the action timeout', () => {
    const bound = apiRequestTimeout({});
    expect(['list', 'describe', 'logs', 'metrics', 'config.get'].map(bound)).toEqual(
      Array(5).fill(DEFAULT_READ_TIMEOUT_MS),
    );
    expect(['start', 'stop', 'restart', 'reload', 'delete', 'config.set', 'toString'].map(bound)).toEqual(
      Array(7).fill(DEFAULT_ACTION_TIMEOUT_MS),
    );
  });

  it('reads VELOS_API_READ_TIMEOUT_MS and VELOS_API_ACTION_TIMEOUT_MS, refusing what is no positive integer', () => {
    const bound = apiRequestTimeout({
      VELOS_API_READ_TIMEOUT_MS: '400',
      VELOS_API_ACTION_TIMEOUT_MS: '60000',
    });
    expect([bound('list'), bound('stop')]).toEqual([400, 60_000]);
    for (const raw of ['0', '-5', '1.5', '10s']) {
      expect(() => apiRequestTimeout({ VELOS_API_READ_TIMEOUT_MS: raw })).toThrow(
        `VELOS_API_READ_TIMEOUT_MS: expected a positive number of milliseconds, got ${JSON.stringify(raw)}`,
      );
    }
  });
});
