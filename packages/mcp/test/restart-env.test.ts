import type { AppSpec, EnvOptions, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';
import { fakeProcess } from './fake-process.js';

/** A control with app `api` (own env `own`) that records the env options of restart and reload. */
function control(own: Record<string, string>) {
  const asked: (EnvOptions | undefined)[] = [];
  const process = fakeProcess({ status: 'stopped', pid: null });
  const answer = async (_target: string, options?: EnvOptions) => {
    asked.push(options);
    return [process];
  };
  const spec = { name: 'api', minUptimeMs: 0, dependsOn: [], ownEnv: own } as unknown as AppSpec;
  const value = {
    list: async () => [process],
    configGet: async () => spec,
    describe: async () => [{ id: 0, spec }],
    restart: answer,
    reload: answer,
  } as unknown as VelosControl;
  return { value, asked };
}

describe('process_restart and process_reload with env', () => {
  it("give the apps this server's environment with the variables over it, not the variables alone", async () => {
    const { value, asked } = control({ OWN: '1' });
    for (const tool of ['process_restart', 'process_reload']) {
      const result = await callTool(value, tool, { target: 'api', env: { LOG_LEVEL: 'debug', OWN: '1' } });
      expect(result.isError, result.content[0]!.text).toBeFalsy();
    }
    for (const options of asked) {
      // PATH and HOME stay: the variables alone replaced everything the app inherited
      expect(options?.env).toMatchObject({ LOG_LEVEL: 'debug', PATH: process.env.PATH });
      expect(options?.ownEnv).toBeUndefined();
    }
  });

  it("refuse a variable the app's own env sets, which would keep its value, naming config_set", async () => {
    const { value, asked } = control({ OWN: '1' });
    const result = await callTool(value, 'process_restart', { target: 'api', env: { OWN: '2' } });
    expect(result.content[0]!.text).toBe(
      'INVALID_ARGUMENT: env.OWN: api sets it in its own env, which wins over a restart\'s: change it with config_set {"env.OWN": "2"}',
    );
    expect(asked).toEqual([]);
  });

  it('leave the environment alone without env', async () => {
    const { value, asked } = control({});
    await callTool(value, 'process_restart', { target: 'api' });
    expect(asked).toEqual([undefined]);
  });
});

describe('process_restart and process_reload of an app that crashes at once', () => {
  it('answer its exit and the tail of its err log, not on', async () => {
    for (const tool of ['process_restart', 'process_reload']) {
      const answered = fakeProcess({ pid: 100, restarts: 1, uptime: 0 });
      const crashed = fakeProcess({
        pid: null,
        status: 'errored',
        restarts: 2,
        exitCode: 1,
        lastExitReason: 'crash',
      });
      const spec = { name: 'api', minUptimeMs: 1000, dependsOn: [] };
      const control = {
        restart: async () => [answered],
        reload: async () => [answered],
        describe: async () => [{ id: 0, spec }],
        list: async () => [crashed],
        logs: async () => [{ ts: 0, stream: 'err', id: 0, name: 'api', pid: null, line: 'Error: boom' }],
      } as unknown as VelosControl;
      const [row] = JSON.parse((await callTool(control, tool, { target: 'api' })).content[0]!.text);
      expect(row, tool).toMatchObject({ s: 'err', exit: { code: 1, why: 'crash' }, tail: ['Error: boom'] });
    }
  });
});
