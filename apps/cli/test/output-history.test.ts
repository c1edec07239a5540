import type { MetricsHistory } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { historyWindowMs } from '../src/commands/describe.js';
import { createColors } from '../src/output/colors.js';
import { renderHistory, restartsIn, sparkline, statsOf } from '../src/output/history.js';

const plain = createColors(false);
const HOUR_MS = 3_600_000;

function history(overrides: Partial<MetricsHistory> = {}): MetricsHistory {
  const now = Date.now();
  return {
    id: 3,
    name: 'api',
    instance: 0,
    namespace: 'shop',
    t: [now - 6000, now - 4000, now - 2000, now],
    cpu: [0, 50, null, 100],
    memory: [100 * 1024 ** 2, 110 * 1024 ** 2, null, 120 * 1024 ** 2],
    restarts: [1, 1, null, 3],
    logRate: [null, 2, null, 4],
    ...overrides,
  };
}

describe('history output (OBS-7)', () => {
  it('draws a sparkline between min and max, gaps as spaces, a flat line flat', () => {
    expect(sparkline([0, 50, null, 100])).toBe('▁▅ █');
    expect(sparkline([10, 10.1, 10])).toBe('▄▄▄');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([null, null])).toBe('  ');
    expect(statsOf([null, 3, 1, 2, null])).toEqual({ min: 1, max: 3, last: 2 });
    expect(restartsIn(history())).toBe(2);
  });

  it('renders each process with min, max, last and the restarts in the window', () => {
    const text = renderHistory(
      [history(), history({ id: 4, name: 'idle', t: [], cpu: [], memory: [], restarts: [], logRate: [] })],
      HOUR_MS,
      plain,
    );
    expect(text).toContain('api (id 3, shop) last 6s of 1h');
    expect(text).toContain('  cpu       ▁▅ █  min 0.0%  max 100.0%  last 100.0%');
    expect(text).toContain('  memory    ▁▅ █  min 100M  max 120M  last 120M');
    expect(text).toContain('  logs/s     ▁ █  min 2.0  max 4.0  last 4.0');
    expect(text).toContain('  restarts  2 in the window (3 since added)');
    // it said "(not running since)", of an app started a second before too
    expect(text).toContain(
      'idle (id 4, shop)\n  no samples in the last 1h (a running process is sampled every 2 s)',
    );
  });

  it('names the window asked for exactly: --since 1.5h is not "of 1h", nor 90s "of 1m"', () => {
    expect(renderHistory([history()], 1.5 * HOUR_MS, plain)).toContain('api (id 3, shop) last 6s of 90m');
    expect(renderHistory([history()], 90_000, plain)).toContain('last 6s of 90s');
    expect(renderHistory([history()], 24 * HOUR_MS, plain)).toContain('last 6s of 1d');
  });
});

describe('velos describe --history --since (OBS-7)', () => {
  it('takes a duration up to 24h and refuses a bare number, as events and logs do', () => {
    expect(historyWindowMs(undefined)).toBe(HOUR_MS);
    expect(historyWindowMs('30m')).toBe(HOUR_MS / 2);
    expect(historyWindowMs('24h')).toBe(24 * HOUR_MS);
    // '10' was 10 ms: "no history in the last 0s (not running since)" for a running process
    expect(() => historyWindowMs('10')).toThrow('--since: add a unit to "10": s, m or h (e.g. 30m)');
    expect(() => historyWindowMs('25h')).toThrow('--since: expected a duration up to 24h');
    expect(() => historyWindowMs('0s')).toThrow('--since: expected a duration up to 24h');
  });
});
