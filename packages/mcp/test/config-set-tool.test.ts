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

async function answerOf(
  control: VelosControl,
  changes: Record<string, unknown> = { max_memory: '300M' },
): Promise<Record<string, unknown>> {
  const result = await callTool(control, 'config_set', { target: 'api', changes });
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

  it('names the keys set to null as unset (velos config unset), apart from those set', async () => {
    const unsetOnly = await answerOf(setting('updated'), { cron_restart: null, 'env.DEBUG': null });
    expect(unsetOnly).toMatchObject({ unset: ['cron_restart', 'env.DEBUG'], applied: 'in place' });
    expect(Object.keys(unsetOnly)).toEqual(['unset', 'applied', 'cfg']);
    const both = await answerOf(setting('restarted'), { max_memory: '300M', cron_restart: null });
    expect(both).toMatchObject({ set: ['max_memory'], unset: ['cron_restart'], applied: 'restarted' });
    expect(Object.keys(both)).toEqual(['set', 'unset', 'applied', 'cfg']);
  });

  it('leaves applied out when the daemon does not say (one from before it did)', async () => {
    expect(Object.keys(await answerOf(setting(undefined)))).toEqual(['set', 'cfg']);
  });
});
