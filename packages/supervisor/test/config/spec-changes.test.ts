import { APP_DEFAULTS, type AppSpec, isVelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { applySpecChanges } from '../../src/config/spec-changes.js';

const web: AppSpec = { ...APP_DEFAULTS, name: 'web', script: '/srv/web.js', cwd: '/srv', env: {} };

/** The error `changes` are refused with. */
async function refusal(changes: Record<string, unknown>): Promise<{ message: string; data: unknown }> {
  const error = await applySpecChanges(web, changes).then(
    () => expect.unreachable('the changes were accepted'),
    (thrown: unknown) => thrown,
  );
  if (!isVelosError(error)) throw error;
  return { message: error.message, data: error.data };
}

describe('applySpecChanges (CFG-2 config set)', () => {
  it('applies config keys over the spec', async () => {
    expect((await applySpecChanges(web, { max_restarts: 3, 'env.MODE': 'x' })).maxRestarts).toBe(3);
  });

  it('names a refused key as the request gave it, changes.<key>, not apps[0].<key>', async () => {
    const value = await refusal({ max_restarts: 'lots' });
    expect(value.message).toBe('web: max_restarts: expected a whole number, 0 or more, got "lots"');
    expect(value.data).toMatchObject({ field: 'changes.max_restarts' });
    expect((await refusal({ nonsense: 1 })).data).toMatchObject({ field: 'changes.nonsense' });
    expect((await refusal({ max_memory: 'lots' })).data).toMatchObject({ field: 'changes.max_memory' });
  });

  it('refuses a key with an empty part, naming it as given (not the CLI form key=value)', async () => {
    for (const key of ['', 'env.', '.max_memory', 'env..KEY']) {
      const value = await refusal({ [key]: 'x' });
      expect(value.message).toBe(
        `web: ${JSON.stringify(key)}: expected a config key (max_memory) or dotted keys (env.KEY, liveness_probe.timeout)`,
      );
    }
  });

  it('refuses a bad cron expression, named as the request gave it', async () => {
    const value = await refusal({ cron_restart: '61 * * * *' });
    expect(value.message).toMatch(
      /^web: cron_restart: expected a cron expression like "0 3 \* \* \*", got "61 \* \* \* \*"/,
    );
    expect(value.data).toMatchObject({ field: 'changes.cron_restart' });
  });

  it('unsets a key given null (velos config unset) and PM2\'s cron_restart 0 or "0": its default applies', async () => {
    const own = { MODE: 'x', KEEP: 'y' };
    const cron = { ...web, cronRestart: '0 3 * * *', env: own, ownEnv: own };
    for (const off of [null, 0, '0']) {
      expect((await applySpecChanges(cron, { cron_restart: off })).cronRestart).toBe(undefined);
    }
    const next = await applySpecChanges(
      { ...cron, maxRestarts: 3 },
      { max_restarts: null, 'env.MODE': null },
    );
    expect([next.maxRestarts, next.ownEnv, next.env.MODE]).toEqual([
      APP_DEFAULTS.maxRestarts,
      { KEEP: 'y' },
      undefined,
    ]);
  });

  it('refuses to unset a required key, and names an unknown key given null', async () => {
    expect((await refusal({ script: null })).message).toBe('web: script: required, cannot be unset');
    expect((await refusal({ name: null })).message).toBe('web: name: required, cannot be unset');
    expect((await refusal({ nme: null })).message).toBe('web: unknown option "nme" (did you mean "name"?)');
  });
});
