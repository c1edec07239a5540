import { describe, expect, it } from 'vitest';
import { resolveAppSpec } from '../src/app-resolve.js';
import { inheritedEnv } from '../src/env-inherit.js';
import { instanceEnv } from '../src/instance-env.js';

// the environment of a `velos start` run by a supervised process: a deploy job (id 9) of Velos or PM2
const CALLER = {
  PATH: '/usr/bin',
  FROM_SHELL: 'kept',
  pm_id: '9',
  name: 'deploy',
  NODE_APP_INSTANCE: '0',
  VELOS_ID: '9',
  VELOS_NAME: 'deploy',
  VELOS_INSTANCE: '0',
};
const ctx = { baseDir: '/srv', baseEnv: CALLER, cpuCount: 2 };

describe('instance identity (SUP-5)', () => {
  it("gives each instance its own id, name and index, not those of the caller's environment", () => {
    const spec = resolveAppSpec({ script: 'server.js', name: 'api', instance_var: 'INSTANCE_ID' }, ctx);
    const env = instanceEnv(spec, { id: 3, instance: 1 });
    expect(env).toMatchObject({ pm_id: '3', name: 'api', INSTANCE_ID: '1', FROM_SHELL: 'kept' });
    expect(env).toMatchObject({ VELOS_ID: '3', VELOS_NAME: 'api', VELOS_INSTANCE: '1' });
    expect(env.NODE_APP_INSTANCE).toBeUndefined();
  });

  it("keeps them out of what --update-env inherits; the app's own env still sets them", () => {
    expect(Object.keys(inheritedEnv(CALLER))).toEqual(['PATH', 'FROM_SHELL']);
    expect(Object.keys(inheritedEnv(CALLER, false))).toEqual(['PATH']);
    const spec = resolveAppSpec({ script: 'server.js', name: 'api', env: { name: 'from-config' } }, ctx);
    expect(instanceEnv(spec, { id: 0, instance: 0 })).toMatchObject({
      name: 'from-config',
      NODE_APP_INSTANCE: '0',
    });
  });
});
