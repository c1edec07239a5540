import { ErrorCodes } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('config reload of a file no app is linked to', () => {
  it('points a JavaScript file to startOrReload, not to velos start (which links nothing)', async () => {
    const { supervisor } = harness.supervisorWithLog();
    const file = '/srv/api/ecosystem.config.js';
    await expect(supervisor.configReload(file)).rejects.toMatchObject({
      code: ErrorCodes.TARGET_NOT_FOUND,
      message: `no app is linked to ${file} (a JavaScript file's apps are not linked to it, the daemon never runs the file: velos startOrReload ${file} applies its changes)`,
    });
    for (const other of ['/srv/api/app.config.cjs', '/srv/api/eco.MJS']) {
      await expect(supervisor.configReload(other)).rejects.toThrow(`velos startOrReload ${other}`);
    }
  });

  it('points any other file to velos start, which links its apps', async () => {
    const { supervisor } = harness.supervisorWithLog();
    const file = '/srv/api/velos.toml';
    await expect(supervisor.configReload(file)).rejects.toMatchObject({
      code: ErrorCodes.TARGET_NOT_FOUND,
      message: `no app is linked to ${file} (apps are linked to the config file they were started from: velos start ${file})`,
    });
  });
});
