import { describe, expect, it } from 'vitest';
import { toAiHistory } from '../src/ai.js';
import type { MetricsHistory } from '../src/metrics.js';

const MB = 1024 * 1024;
const AT = Date.parse('2026-12-01T10:00:00.000Z');

function history(overrides: Partial<MetricsHistory> = {}): MetricsHistory {
  return {
    id: 3,
    name: 'api',
    instance: 0,
    namespace: 'shop',
    t: [AT, AT + 60_000, AT + 120_000, AT + 180_000],
    cpu: [0, 50.04, null, 100],
    memory: [100 * MB, 110 * MB, null, 120 * MB],
    restarts: [1, 1, null, 3],
    logRate: [null, 2, null, 4],
    ...overrides,
  };
}

describe('toAiHistory (describe --history --ai, MCP metrics_history)', () => {
  it('gives min, max, last and the series of memory and CPU, the step and the restarts in the window', () => {
    expect(toAiHistory(history())).toEqual({
      i: 3,
      n: 'api',
      ns: 'shop',
      from: '2026-12-01T10:00:00Z',
      step: '1m',
      mem: { min: '100M', max: '120M', last: '120M', mb: [100, 110, null, 120] },
      cpu: { min: 0, max: 100, last: 100, s: [0, 50, null, 100] },
      r: 2,
    });
  });

  it('leaves out what a process never sampled has not: no point, no figure, no restart count', () => {
    const none = history({ namespace: 'default', t: [], cpu: [], memory: [], restarts: [], logRate: [] });
    expect(toAiHistory(none)).toEqual({ i: 3, n: 'api' });
  });
});
