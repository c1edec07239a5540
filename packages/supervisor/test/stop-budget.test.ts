import type { AppSpec, Dependency } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { STOP_MARGIN_MS, STOP_WAVE_SLACK_MS, shutdownBudgetMs } from '../src/stop-budget.js';
import { appSpec } from './helpers.js';

function record(name: string, killTimeoutMs: number, dependsOn: string[] = [], spawnSeq = 0) {
  const deps: Dependency[] = dependsOn.map((dep) => ({ name: dep, condition: 'started' }));
  const spec: AppSpec = appSpec('/nowhere', { name, killTimeoutMs, dependsOn: deps });
  return { app: { spec }, spawnSeq };
}

describe('shutdownBudgetMs (what a stop of every app tells systemd with EXTEND_TIMEOUT_USEC)', () => {
  it("adds up each depends_on stop wave's longest kill_timeout, with slack", () => {
    // web and worker depend on api, api on db: three waves (web+worker, api, db)
    const records = [
      record('db', 30_000),
      record('api', 20_000, ['db']),
      record('web', 45_000, ['api']),
      record('worker', 5_000, ['api'], 1),
    ];
    expect(shutdownBudgetMs(records)).toBe(
      45_000 + 20_000 + 30_000 + 3 * STOP_WAVE_SLACK_MS + STOP_MARGIN_MS,
    );
  });

  it('takes apps that stop together once, at their longest, and the margin alone for no app', () => {
    const records = [record('a', 10_000), record('b', 70_000), record('b', 70_000, [], 2)];
    expect(shutdownBudgetMs(records)).toBe(70_000 + STOP_WAVE_SLACK_MS + STOP_MARGIN_MS);
    expect(shutdownBudgetMs([])).toBe(STOP_MARGIN_MS);
  });
});
