import type { ExitReason, ProcessInfo, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { watchGrace } from '../../src/config/config-apply.js';

/**
 * A control whose `list` shows process 0 of `api` restarted `times` times after the first call, the last
 * one for `reason`, then in `status`.
 */
function restartedOnce(
  reason: ExitReason | null,
  times = 1,
  status: ProcessInfo['status'] = 'online',
): Pick<VelosControl, 'list'> {
  let calls = 0;
  return {
    async list() {
      calls += 1;
      const restarted = calls > 1;
      return [
        {
          id: 0,
          name: 'api',
          status: restarted ? status : 'online',
          restarts: restarted ? times : 0,
          exitCode: restarted && reason === 'exit' ? 0 : null,
          lastExitReason: restarted ? reason : null,
        } as unknown as ProcessInfo,
      ];
    },
  };
}

describe('watchGrace', () => {
  it('says why a process restarted in the grace period: a crash, or what else it was', async () => {
    const cases: [ExitReason | null, RegExp][] = [
      ['crash', /^process 0 crashed and was restarted$/],
      ['memory', /^process 0 went over its memory limit and was restarted$/],
      ['exit', /^process 0 exited by itself and was restarted \(exit code 0\)$/],
      ['unhealthy', /^process 0 failed its liveness probe and was restarted$/],
      ['inactivity', /^process 0 was restarted \(inactivity\)$/],
    ];
    for (const [reason, expected] of cases) {
      const failures = await watchGrace(restartedOnce(reason), ['api'], 1000);
      expect(failures.get('api')).toMatch(expected);
    }
  });

  it('does not hold a restart asked for from outside against the new spec', async () => {
    // primary-exit: the cluster primary died and its workers with it; the app's spec has no part in that
    for (const reason of ['user', 'reload', 'watch', 'cron', 'primary-exit'] as const) {
      const failures = await watchGrace(restartedOnce(reason), ['api'], 250);
      expect(failures.has('api'), reason).toBe(false);
    }
  });

  it('still fails the change when another restart came beside the outside one', async () => {
    // Two restarts since the last look, the last by the user: the first one's reason is not known.
    const failures = await watchGrace(restartedOnce('user', 2), ['api'], 250);
    expect(failures.get('api')).toBe('process 0 was restarted (user)');
    const primary = await watchGrace(restartedOnce('primary-exit', 2), ['api'], 250);
    expect(primary.get('api')).toBe('process 0 ended with its cluster primary and was restarted');
  });

  it('leaves an app the user stopped during the grace period stopped', async () => {
    const failures = await watchGrace(restartedOnce('user', 0, 'stopped'), ['api'], 250);
    expect(failures.has('api')).toBe(false);
    const crashed = await watchGrace(restartedOnce('exit', 0, 'stopped'), ['api'], 250);
    expect(crashed.get('api')).toBe('process 0 is stopped, not online');
  });
});
