import { LogEngine } from '@velos/log-engine';
import { describe, expect, it } from 'vitest';
import { AppShares } from '../../src/log-insights/app-shares.js';

/** Feeds `lines` of app `app` to the engine and the shares, as `analyzeLogs` does over several apps. */
function feed(engine: LogEngine, shares: AppShares, app: number, lines: string[], weight = 1): void {
  for (const line of lines) {
    const parsed = engine.parseRecord(line);
    shares.countLine(app, parsed.level, parsed.isContinuation, weight);
    shares.countTemplate(app, engine.add(parsed, weight).templateId, weight);
  }
}

describe('AppShares', () => {
  it('names the apps of each template, the one with the most lines first', () => {
    const engine = new LogEngine();
    const shares = new AppShares(['api', 'worker'], (id) => engine.miner.resolve(id));
    feed(engine, shares, 0, ['cache hit for key 1', 'cache hit for key 2']);
    feed(engine, shares, 1, ['cache hit for key 3', 'cache hit for key 4', 'cache hit for key 5']);
    feed(engine, shares, 1, ['job done in 5ms']);
    const byTemplate = Object.fromEntries(
      engine.patterns().map((p) => [p.template, shares.appsOf(p.templateId)]),
    );
    expect(byTemplate).toEqual({
      'cache hit for key <num>': ['worker', 'api'],
      'job done in <dur>': ['worker'],
    });
  });

  it('follows templates the engine merges: the lines of an id merged away count for its target', () => {
    const engine = new LogEngine();
    const shares = new AppShares(['a', 'b'], (id) => engine.miner.resolve(id));
    const ids: number[] = [];
    for (const [app, user] of ['alice', 'bob', 'carol', 'dave'].entries()) {
      const parsed = engine.parseRecord(`login ok for user ${user} now`);
      const id = engine.add(parsed).templateId;
      ids.push(id);
      shares.countTemplate(app < 2 ? 0 : 1, id, 1);
    }
    const [pattern] = engine.patterns();
    expect(pattern).toMatchObject({ template: 'login ok for user <*> now', count: 4 });
    // the lines of b came under ids the miner merged away since
    expect(new Set(ids).size).toBeGreaterThan(1);
    expect(shares.appsOf(pattern!.templateId)).toEqual(['a', 'b']);
  });

  it("breaks a summary down by app: lines, events by level, and health over the app's own lines", () => {
    const engine = new LogEngine();
    const shares = new AppShares(['api', 'worker', 'idle'], (id) => engine.miner.resolve(id));
    feed(engine, shares, 0, [
      'GET /a 200',
      'GET /b 200',
      'ERROR db down',
      'ERROR db down',
      '    at run (/srv/app.js:1:1)',
    ]);
    feed(engine, shares, 1, ['job 1 done', 'job 2 done', 'WARN queue slow'], 10);
    const breakdown = shares.breakdown([]);
    expect(breakdown).toEqual([
      // 2 errors in 4 events: the error-rate penalty is at its 40 cap
      { name: 'api', lines: 5, levels: { error: 2, info: 2 }, health: 60 },
      // 1 warning in 3 events (each counting for 10 lines): 50 × 1/3 is past the 10 cap
      { name: 'worker', lines: 30, levels: { warn: 10, info: 20 }, health: 90 },
      { name: 'idle', lines: 0, levels: {}, health: 100 },
    ]);
  });

  it('takes 10 off the health of the apps with lines in a rising error pattern only', () => {
    const engine = new LogEngine();
    const shares = new AppShares(['api', 'worker'], (id) => engine.miner.resolve(id));
    feed(engine, shares, 0, ['ERROR payment failed', 'GET /a 200', 'GET /a 200', 'GET /a 200']);
    feed(engine, shares, 1, ['GET /b 200']);
    const id = engine.patterns().find((p) => p.level === 'error')!.templateId;
    const rising = [{ id, level: 'error' as const, trend: 'rising' as const }];
    const [api, worker] = shares.breakdown(rising);
    expect(api!.health).toBe(shares.breakdown([])[0]!.health - 10);
    expect(worker!.health).toBe(100);
  });
});
