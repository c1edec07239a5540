import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { LossyReport, noteVelosOnly } from '../src/export/lossy-report.js';

function spec(extra: Partial<AppSpec>): AppSpec {
  return {
    ...APP_DEFAULTS,
    name: 'api',
    script: 'api.js',
    args: [],
    cwd: '/srv',
    env: {},
    interpreterArgs: [],
    stopExitCodes: [],
    ignoreWatch: [],
    dependsOn: [],
    ...extra,
  } as AppSpec;
}

describe('velos export and log_rules', () => {
  it('notes that the rules are not exported, and says what to do instead', () => {
    const report = new LossyReport('systemd', false);
    noteVelosOnly(report, spec({ logRules: [{ match: '^legacy', level: 'warn' }] }));
    expect(report.losses.find((loss) => loss.option === 'log_rules')).toMatchObject({
      app: 'api',
      severity: 'note',
      instead: expect.stringContaining('velos-log --rules'),
    });
    const without = new LossyReport('systemd', false);
    noteVelosOnly(without, spec({}));
    expect(without.losses.some((loss) => loss.option === 'log_rules')).toBe(false);
  });
});
