import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VelosEvent } from '@velos/core';
import type { ExitFact } from '@velos/log-engine';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events/event-bus.js';
import { exitFactsOf, readExitFacts } from '../../src/log-insights/exit-history.js';
import { analyzeLogs } from '../../src/log-insights/log-analyze.js';
import { searchLogs } from '../../src/log-insights/log-search.js';
import type { LogQueryTarget } from '../../src/log-insights/log-target.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-exits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-11-22T10:00:00Z');

function exited(seq: number, at: number, fields: VelosEvent['fields'], id = 0): VelosEvent {
  return { seq, at, kind: 'process.exited', severity: 'info', app: 'api', id, message: '', fields };
}
function restarting(seq: number, at: number, id = 0): VelosEvent {
  return { seq, at, kind: 'process.restarting', severity: 'info', app: 'api', id, message: '' };
}

describe('exitFactsOf', () => {
  it('reads code, signal and reason; a crash, memory or health kill is a crash, a user restart is not', () => {
    const facts = exitFactsOf([
      exited(1, T0, { code: 1, signal: null, reason: 'crash' }),
      restarting(2, T0),
      exited(3, T0 + 10, { code: null, signal: 'SIGTERM', reason: 'user' }),
      restarting(4, T0 + 10),
      exited(5, T0 + 20, { code: null, signal: 'SIGKILL', reason: 'memory' }, 1),
      restarting(6, T0 + 20, 2),
      exited(7, T0 + 30, { code: 0, signal: null, reason: 'exit' }),
    ]);
    expect(facts).toEqual<ExitFact[]>([
      { ts: T0, code: 1, signal: null, reason: 'crash', isCrash: true, isRestart: true },
      { ts: T0 + 10, code: null, signal: 'SIGTERM', reason: 'user', isCrash: false, isRestart: true },
      // the restart at that time was another process's
      { ts: T0 + 20, code: null, signal: 'SIGKILL', reason: 'memory', isCrash: true, isRestart: false },
      { ts: T0 + 30, code: 0, signal: null, reason: 'exit', isCrash: false, isRestart: false },
    ]);
  });

  it('reads one app in a time range from the event store', async () => {
    const bus = createEventBus({ path: join(dir, 'events.jsonl') });
    try {
      bus.publish({
        at: T0,
        kind: 'process.exited',
        severity: 'warning',
        app: 'api',
        id: 0,
        message: 'x',
        fields: { code: 1, signal: null, reason: 'crash' },
      });
      bus.publish({
        at: T0 + 5,
        kind: 'process.exited',
        severity: 'warning',
        app: 'web',
        id: 1,
        message: 'x',
        fields: { code: 1, signal: null, reason: 'crash' },
      });
      bus.publish({
        at: T0 + 9,
        kind: 'process.exited',
        severity: 'warning',
        app: 'api',
        id: 0,
        message: 'x',
        fields: { code: 2, signal: null, reason: 'crash' },
      });
      const codes = async (range: { since?: number; until?: number }) =>
        (await readExitFacts(bus, 'api', range)).map((f) => f.code);
      expect(await codes({})).toEqual([1, 2]);
      expect(await codes({ since: T0 + 1 })).toEqual([2]);
      expect(await codes({ until: T0 + 1 })).toEqual([1]);
    } finally {
      bus.close();
    }
  });
});

describe('analyzeLogs with the exits of the app', () => {
  // a crash loop: each run says it started (stdout), then `port 8080 taken, bye` (stderr) and exits 1
  const out: string[] = [];
  const err: string[] = [];
  const exits: ExitFact[] = [];
  for (let i = 0; i < 6; i += 1) {
    const start = T0 + i * 2000;
    out.push(`${new Date(start).toISOString()} server starting, pid ${100 + i}`);
    err.push(`${new Date(start + 100).toISOString()} reading config from /etc/app.toml`);
    err.push(`${new Date(start + 1500).toISOString()} port 8080 taken, bye`);
    exits.push({ ts: start + 1510, code: 1, signal: null, reason: 'crash', isCrash: true, isRestart: true });
  }
  const target = (withExits: boolean): LogQueryTarget => {
    const outPath = join(dir, 'loop.log');
    const errPath = join(dir, 'loop-err.log');
    writeFileSync(outPath, `${out.join('\n')}\n`);
    writeFileSync(errPath, `${err.join('\n')}\n`);
    return {
      name: 'loop',
      id: 0,
      outPath,
      errPath,
      format: 'raw' as LogQueryTarget['format'],
      hasLiveEngine: true,
      ...(withExits ? { exits: async () => exits } : {}),
      flushTimeIndex: () => {},
    };
  };

  it('counts the crashes, scores the loop unhealthy and gives the crash line as the last error', async () => {
    const result = await analyzeLogs(target(true), { target: 'loop', view: 'summary' });
    const summary = result.summary!;
    expect(summary.exits).toEqual({
      count: 6,
      crashes: 6,
      restarts: 6,
      last: { at: T0 + 11_510, code: 1, reason: 'crash' },
    });
    expect(summary.health).toBeLessThanOrEqual(40);
    expect(summary.levels).toEqual({ error: 6, info: 12 });
    expect(summary.lastError?.message).toBe('port 8080 taken, bye');
    expect(result.text).toMatch(/exits: 6 \(6 crashes, 6 restarts\) · last [\d:]+ code 1 \(crash\)/);
    // the patterns view sees the same levels
    const patterns = await analyzeLogs(target(true), { target: 'loop', view: 'patterns' });
    expect(patterns.patterns?.find((p) => p.template.startsWith('port'))?.level).toBe('error');
  });

  it('is as before without them', async () => {
    const summary = (await analyzeLogs(target(false), { target: 'loop', view: 'summary' })).summary!;
    expect(summary.exits).toBeUndefined();
    expect(summary.health).toBe(100);
    expect(summary.lastError).toBeUndefined();
  });

  it('gives a search by level the crash lines the summary counts as errors', async () => {
    const summary = (await analyzeLogs(target(true), { target: 'loop', view: 'summary' })).summary!;
    const found = await searchLogs(target(true), { target: 'loop', level: 'error' });
    expect(found.lines.map((line) => line.line)).toEqual(err.filter((line) => line.endsWith('bye')));
    expect(found.lines).toHaveLength(summary.levels.error!);
    expect(found.lines.map((line) => line.lvl)).toEqual(found.lines.map(() => 'error'));
    // the raised lines are found by --grep too, and a line the grep leaves out is still judged
    const grepped = await searchLogs(target(true), { target: 'loop', level: 'warn', grep: 'port|config' });
    expect(grepped.lines).toHaveLength(6);
    // without the exits (a file read outside the daemon) the stored levels stand
    expect((await searchLogs(target(false), { target: 'loop', level: 'error' })).lines).toEqual([]);
    // without a level nothing is raised or left out
    expect((await searchLogs(target(true), { target: 'loop' })).lines).toHaveLength(18);
  });
});
