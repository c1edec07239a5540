import { APP_DEFAULTS, type AppSpec, type ConfigSetResult, type VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';

const SPEC: AppSpec = {
  ...APP_DEFAULTS,
  name: 'api',
  script: 'server.js',
  args: [],
  interpreterArgs: [],
  stopExitCodes: [],
  cwd: '/srv/api',
  env: {},
  maxMemoryBytes: 300 * 1024 * 1024,
};

/** A control whose config.set answers `applied` (none: a daemon from before it said). */
function setting(applied: ConfigSetResult['applied']): VelosControl {
  const result: ConfigSetResult = applied === undefined ? { spec: SPEC } : { spec: SPEC, applied };
  return {
    configSetResult: async () => result,
    configSet: async () => SPEC,
  } as unknown as VelosControl;
}

async function answerOf(control: VelosControl): Promise<Record<string, unknown>> {
  const result = await callTool(control, 'config_set', { target: 'api', changes: { max_memory: '300M' } });
  expect(result.isError, result.content[0]!.text).toBeFalsy();
  return JSON.parse(result.content[0]!.text) as Record<string, unknown>;
}

describe('config_set', () => {
  it('says whether the app was restarted for the change, or took it otherwise', async () => {
    const words = {
      restarted: 'restarted',
      updated: 'in place',
      scaled: 'scaled',
      stored: 'not running',
    } as const;
    for (const [applied, word] of Object.entries(words)) {
      const answer = await answerOf(setting(applied as keyof typeof words));
      expect(answer).toMatchObject({ set: ['max_memory'], applied: word, cfg: { name: 'api' } });
      // read in this order by an agent: what was set, what it did, then the config
      expect(Object.keys(answer)).toEqual(['set', 'applied', 'cfg']);
    }
  });

  it('leaves applied out when the daemon does not say (one from before it did)', async () => {
    expect(Object.keys(await answerOf(setting(undefined)))).toEqual(['set', 'cfg']);
  });
});
