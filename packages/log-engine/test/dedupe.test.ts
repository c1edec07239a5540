import { describe, expect, it } from 'vitest';
import { dedupe, formatDedupeEntry } from '../src/dedupe.js';

const at = (hh: number, mm: number) => Date.UTC(2026, 10, 22, hh, mm, 0);

describe('dedupe', () => {
  it('collapses lines of one template with count, first and last time, in order of first appearance', () => {
    const records = [
      { ts: at(10, 5), line: 'GET /api/items/1 200 3ms' },
      { ts: at(10, 6), line: 'ERROR db timeout after 30s' },
      ...Array.from({ length: 845 }, (_, i) => ({
        ts: at(10, 6 + (i % 40)),
        line: `GET /api/items/${i} 200 4ms`,
      })),
      { ts: at(10, 47), line: 'GET /api/items/9 200 5ms' },
    ];
    const entries = dedupe(records);
    expect(entries.map((e) => e.count)).toEqual([847, 1]);
    expect(entries[0]).toMatchObject({
      template: 'GET <path> <num> <dur>',
      firstTs: at(10, 5),
      lastTs: at(10, 47),
    });
    expect(entries[0]?.firstIndex).toBe(0);
    expect(entries[0]?.lastIndex).toBe(847);
    expect(entries.map((e) => formatDedupeEntry(e, { utc: true }))).toEqual([
      'GET <path> <num> <dur> (x847, first 10:05, last 10:47)',
      'ERROR db timeout after 30s',
    ]);
    expect(entries[1]?.level).toBe('error');
  });

  it('starts a new group when a template comes back after the window', () => {
    const lines = [at(10, 0), at(10, 2), at(10, 30), at(10, 31)].map((ts, i) => ({ ts, line: `tick ${i}` }));
    const entries = dedupe(lines, { windowMs: 10 * 60_000 });
    expect(entries.map((e) => [e.count, e.firstIndex, e.lastIndex])).toEqual([
      [2, 0, 1],
      [2, 2, 3],
    ]);
  });

  it('uses line numbers when lines carry no time, and reads times written in the lines', () => {
    expect(dedupe(['retry 1', 'retry 2', 'done']).map((e) => formatDedupeEntry(e))).toEqual([
      'retry <num> (x2, lines 1–2)',
      'done',
    ]);
    const timed = dedupe(['2026-11-22T10:05:00Z retry 1', '2026-11-22T10:09:00Z retry 2']);
    expect(formatDedupeEntry(timed[0]!, { utc: true })).toBe('retry <num> (x2, first 10:05, last 10:09)');
  });

  it('collapses an event with its stack trace: the frames make no entries of their own', () => {
    const crash = (user: number) => [
      `ERROR 1 --- [exec-${user}] c.x.Api : request for user ${user} failed`,
      'java.lang.NullPointerException: Cannot invoke "String.length()"',
      '\tat com.x.Service.handle(Service.java:42)',
      '\tat com.x.Controller.get(Controller.java:17)',
      'Caused by: java.lang.IllegalStateException: bad',
      '\t... 12 more',
      '',
    ];
    const idle = (queue: number) => `INFO 1 --- [main] c.x.App : queue ${queue} idle`;
    const lines = [idle(1), ...crash(7), ...crash(8), ...crash(9), idle(2)];
    const entries = dedupe(lines);
    expect(entries.map((e) => formatDedupeEntry(e))).toEqual([
      'INFO <num> --- [main] c.x.App : queue <num> idle (x2, lines 1–23)',
      'ERROR <num> --- [exec-<num>] c.x.Api : request for user <num> failed (x3, lines 2–16)',
    ]);
  });

  it('groups under the final template when a placeholder appears later', () => {
    const users = ['ann', 'ben', 'cid', 'dan', 'eve'];
    const entries = dedupe(users.map((u) => `session opened for user ${u} by uid 0`));
    expect(entries).toHaveLength(1);
    expect(formatDedupeEntry(entries[0]!)).toBe('session opened for user <*> by uid <num> (x5, lines 1–5)');
  });
});
