import type { ExitReason, ProcessInfo, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { watchGrace } from '../../src/config/config-apply.js';

/** A control whose `list` shows process 0 of `api` restarted once after the first call, for `reason`. */
function restartedOnce(reason: ExitReason | null): Pick<VelosControl, 'list'> {
  let calls = 0;
  return {
    async list() {
      calls += 1;
      const restarted = calls > 1;
      return [
        {
          id: 0,
          name: 'api',
          status: 'online',
          restarts: restarted ? 1 : 0,
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
      ['watch', /^process 0 was restarted \(watch\)$/],
    ];
    for (const [reason, expected] of cases) {
      const failures = await watchGrace(restartedOnce(reason), ['api'], 1000);
      expect(failures.get('api')).toMatch(expected);
    }
  });
});
