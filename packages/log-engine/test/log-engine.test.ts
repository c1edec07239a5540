import { describe, expect, it } from 'vitest';
import { LogEngine } from '../src/log-engine.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const MIN = 60_000;

/** Pushes `count` lines spread over minute `minute` (relative to T0). */
function fill(engine: LogEngine, minute: number, count: number, line: (i: number) => string): void {
  for (let i = 0; i < count; i++)
    engine.push({ ts: T0 + minute * MIN + Math.floor((i * MIN) / (count + 1)), line: line(i) });
}

describe('LogEngine.push', () => {
  it('parses, classifies and mines each record', () => {
    const engine = new LogEngine();
    const a = engine.push({ stream: 'err', line: '2026-11-22T10:00:00Z ERROR payment 42 failed' });
    const b = engine.push('2026-11-22T10:00:05Z ERROR payment 43 failed');
    const c = engine.push({ ts: T0, line: '{"level":"warn","msg":"slow query 120ms","db":"main"}' });
    expect(a).toMatchObject({ ts: T0, level: 'error', stream: 'err', message: 'ERROR payment 42 failed' });
    expect(b.templateId).toBe(a.templateId);
    expect(engine.miner.template(a.templateId)).toBe('ERROR payment <num> failed');
    expect(c).toMatchObject({ level: 'warn', message: 'slow query 120ms', fields: { db: 'main' } });
    expect(engine.levels).toEqual({ fatal: 0, error: 2, warn: 1, info: 0, debug: 0 });
    expect(engine.lastError()).toMatchObject({ ts: T0 + 5000, level: 'error', templateId: a.templateId });
  });

  it('gives untimed records the last time seen, else the clock, else none', () => {
    const timed = new LogEngine();
    timed.push({ ts: T0, line: 'first' });
    expect(timed.push('continuation').ts).toBe(T0);
    const clocked = new LogEngine({ clock: () => T0 + 7 });
    expect(clocked.push('no time').ts).toBe(T0 + 7);
    expect(new LogEngine().push('no time').ts).toBeUndefined();
  });

  it('rejects bad windows', () => {
    expect(() => new LogEngine({ windowMinutes: 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => new LogEngine({ windowMinutes: 10, minHistoryMinutes: 10 })).toThrow(/minHistoryMinutes/);
  });
});

describe('LogEngine.patterns', () => {
  it('counts templates with their rate and trend', () => {
    const engine = new LogEngine();
    for (let m = 0; m < 10; m++) {
      fill(engine, m, 6, (i) => `GET /api/items/${i} 200 ${i + 1}ms`);
      fill(engine, m, m < 5 ? 8 : 1, (i) => `cache miss for key k${i}x`);
      if (m >= 6) fill(engine, m, 5, (i) => `ERROR upstream 10.0.0.${i} timed out`);
    }
    const patterns = engine.patterns();
    const by = (prefix: string) => patterns.find((p) => p.template.startsWith(prefix))!;
    expect(by('GET')).toMatchObject({
      template: 'GET <path> <num> <dur>',
      count: 60,
      trend: 'stable',
      level: 'info',
    });
    expect(by('GET').perMinute).toBeGreaterThan(6);
    expect(by('cache')).toMatchObject({ count: 45, trend: 'declining' });
    expect(by('ERROR')).toMatchObject({ count: 20, trend: 'rising', level: 'error' });
    expect(engine.patterns(1)).toHaveLength(1);
  });

  it('gives the rate over the span the lines cover, none under a second', () => {
    // 95 lines over 10 s: 570 a minute, not 95 (a period under a minute counted as one)
    const engine = new LogEngine();
    for (let i = 0; i < 95; i++)
      engine.push({ ts: T0 + Math.round((i * 10_000) / 94), line: `GET /a/${i} 200` });
    expect(engine.patterns()[0]!.perMinute).toBeCloseTo(570, 5);
    // two lines 1 ms apart: no rate (120,000 a minute would be noise), the count alone
    const instant = new LogEngine();
    instant.push({ ts: T0, line: 'GET /a/1 200' });
    instant.push({ ts: T0 + 1, line: 'GET /a/2 200' });
    expect(instant.patterns()[0]).toMatchObject({ count: 2, perMinute: undefined });
  });

  it('merges the counts of templates the miner merges', () => {
    const engine = new LogEngine();
    const ids = ['alice', 'bob', 'carol', 'dave'].map(
      (u, i) => engine.push({ ts: T0 + i, line: `login ok for user ${u} now` }).templateId,
    );
    const patterns = engine.patterns();
    expect(patterns).toHaveLength(1);
    expect(patterns[0]).toMatchObject({
      templateId: ids[0],
      count: 4,
      template: 'login ok for user <*> now',
    });
  });

  it('keeps at most maxTemplates patterns', () => {
    const engine = new LogEngine({ maxTemplates: 5 });
    const words = ['red', 'green', 'blue', 'cyan', 'pink', 'gold', 'gray', 'teal', 'navy'];
    for (const [i, w] of words.entries()) {
      engine.push({ ts: T0 + i, line: `${w} ${words[(i + 2) % 9]} ${words[(i + 5) % 9]}` });
    }
    expect(engine.patterns().length).toBeLessThanOrEqual(5);
    expect(engine.miner.size).toBeLessThanOrEqual(5);
  });
});

describe('LogEngine.anomalies', () => {
  it('does not judge before the minimum history', () => {
    const engine = new LogEngine({ minHistoryMinutes: 10 });
    for (let m = 0; m < 5; m++) fill(engine, m, 10, () => 'steady');
    fill(engine, 5, 500, () => 'burst');
    expect(engine.anomalies()).toEqual([]);
  });

  it('flags volume at mean + 2σ as a warning and at 3σ as critical', () => {
    const engine = new LogEngine({ minHistoryMinutes: 10 });
    // History alternates 10 and 20 lines a minute: mean 15, σ 5.
    for (let m = 0; m < 12; m++) fill(engine, m, m % 2 === 0 ? 10 : 20, (i) => `tick ${i}`);
    fill(engine, 12, 26, (i) => `tick ${i}`);
    const [warning] = engine.anomalies();
    expect(warning).toMatchObject({
      minute: T0 + 12 * MIN,
      metric: 'volume',
      value: 26,
      mean: 15,
      severity: 'warning',
    });
    expect(warning!.zScore).toBeCloseTo(2.2, 5);
    fill(engine, 12, 5, (i) => `tick ${i}`);
    expect(engine.anomalies()[0]).toMatchObject({ value: 31, severity: 'critical' });
  });

  it('flags a jump of the error rate and keeps it once the minute is closed', () => {
    const engine = new LogEngine({ minHistoryMinutes: 5 });
    for (let m = 0; m < 8; m++) fill(engine, m, 20, (i) => `request ${i} ok`);
    fill(engine, 8, 10, (i) => `request ${i} ok`);
    fill(engine, 8, 10, (i) => `ERROR request ${i} failed`);
    engine.tick(T0 + 9 * MIN);
    const anomalies = engine.anomalies();
    const rate = anomalies.find((a) => a.metric === 'errorRate');
    expect(rate).toMatchObject({ minute: T0 + 8 * MIN, value: 0.5, mean: 0, severity: 'critical' });
    expect(anomalies.some((a) => a.metric === 'volume')).toBe(false);
  });

  it('ignores a single stray error in a spotless history', () => {
    const engine = new LogEngine({ minHistoryMinutes: 5 });
    for (let m = 0; m < 8; m++) fill(engine, m, 50, (i) => `request ${i} ok`);
    fill(engine, 8, 49, (i) => `request ${i} ok`);
    fill(engine, 8, 1, () => 'ERROR one request failed');
    expect(engine.anomalies()).toEqual([]);
  });
});

describe('LogEngine snapshot', () => {
  it('starts from a miner snapshot with the same template ids', () => {
    const first = new LogEngine();
    const { templateId } = first.push({ ts: T0, line: 'worker 3 finished job 12 in 40ms' });
    const second = new LogEngine({ templates: first.miner.snapshot() });
    expect(second.push({ ts: T0, line: 'worker 9 finished job 77 in 2s' }).templateId).toBe(templateId);
  });
});
