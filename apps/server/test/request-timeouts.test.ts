import { ErrorCodes, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import {
  type ActionTimes,
  actionBoundMs,
  apiRequestTimeout,
  DEFAULT_ACTION_TIMEOUT_MS,
  DEFAULT_READ_TIMEOUT_MS,
} from '../src/request-timeouts.js';

function app(
  name: string,
  killTimeoutMs: number,
  listenTimeoutMs: number,
  dependsOn: string[] = [],
): ActionTimes {
  return {
    name,
    killTimeoutMs,
    listenTimeoutMs,
    dependsOn: dependsOn.map((n) => ({ name: n, condition: 'started' })),
  } as ActionTimes;
}

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

  it("bounds an action by its targets' kill_timeout and listen_timeout, read with describe", async () => {
    const web = app('web', 1600, 8000);
    const slow = app('slow', 60_000, 600_000);
    // a reload goes one process after another; a stop or restart acts on them at once, in depends_on waves
    expect(actionBoundMs('reload', [web, web])).toBe(10_000 + 2 * (1600 + 8000 + 1000));
    expect(actionBoundMs('restart', [web, web, slow])).toBe(10_000 + 60_000 + 600_000 + 1000);
    expect(actionBoundMs('stop', [web, app('api', 1600, 8000, ['db']), app('db', 1600, 8000)])).toBe(
      10_000 + 2 * (1600 + 8000 + 1000),
    );
    const described: string[] = [];
    const details: Record<string, { id: number; spec: ActionTimes }[]> = {
      web: [
        { id: 0, spec: web },
        { id: 1, spec: web },
      ],
      slow: [{ id: 2, spec: slow }],
    };
    const bound = apiRequestTimeout({}, async (target) => {
      described.push(target);
      if (target === 'stuck')
        throw new VelosError(ErrorCodes.TIMEOUT, 'the Velos daemon did not answer "describe" within 10 s');
      const found = details[target];
      if (!found) throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${target}'`);
      return found;
    });
    // 22 s, not 5 minutes, for a reload of two quick instances; 11 minutes for an app that may take them
    expect(await bound('reload', { target: 'web' })).toBe(31_200);
    expect(await bound('restart', { target: ['web', 'slow'] })).toBe(671_000);
    expect(await bound('scale', { name: 'web', instances: '4' })).toBe(20_600);
    expect(await bound('start', { apps: [{ ...web, instances: 2 }] })).toBe(20_600);
    expect(described).toEqual(['web', 'web', 'slow', 'web']);
    // a target the daemon does not know is its to refuse; a command of no target keeps the default
    expect(await bound('stop', { target: 'nope' })).toBe(DEFAULT_ACTION_TIMEOUT_MS);
    expect(await bound('config.reload', { file: '/srv/velos.toml' })).toBe(DEFAULT_ACTION_TIMEOUT_MS);
    await expect(bound('stop', { target: 'stuck' })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'the Velos daemon did not answer "describe" within 10 s, so "stop" was not sent',
    });
    // VELOS_API_ACTION_TIMEOUT_MS is the bound of every action, with nothing read first
    const fixed = apiRequestTimeout({ VELOS_API_ACTION_TIMEOUT_MS: '7000' }, async () => {
      throw new Error('not read');
    });
    expect(await fixed('reload', { target: 'web' })).toBe(7000);
  });
});
