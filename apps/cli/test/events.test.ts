import type { VelosEvent } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { eventsRequest, kindFilters, timeBound } from '../src/commands/events.js';
import { emitRequest } from '../src/commands/events-emit.js';
import { createColors } from '../src/output/colors.js';
import { eventTime, formatEventLine, toAiEvent } from '../src/output/events.js';

const plain = createColors(false);
const colored = createColors(true);
const NOW = new Date(2026, 11, 1, 10, 5, 1).getTime();

const exited: VelosEvent = {
  seq: 7,
  at: NOW,
  kind: 'process.exited',
  severity: 'warning',
  app: 'api',
  id: 0,
  message: 'api (id 0) exited with code 1 (crash)',
  fields: { code: 1, signal: null, reason: 'crash' },
};
const appEvent: VelosEvent = {
  seq: 8,
  at: NOW,
  kind: 'app.sync.done',
  severity: 'info',
  app: 'api',
  id: 0,
  message: 'synced \u001b[31m42',
  fields: { rows: 42, table: 'user list' },
};

describe('event lines', () => {
  it('prints time, severity, kind, app/id and message; fields only for app events', () => {
    expect(formatEventLine(exited, plain, NOW)).toBe(
      '10:05:01  warning   process.exited      api/0       api (id 0) exited with code 1 (crash)',
    );
    expect(formatEventLine(appEvent, plain, NOW)).toBe(
      '10:05:01  info      app.sync.done       api/0       synced \\x1b[31m42 rows=42 table="user list"',
    );
    const daemon: VelosEvent = { seq: 1, at: NOW, kind: 'daemon.started', severity: 'info', message: 'up' };
    expect(formatEventLine(daemon, plain, NOW)).toContain('daemon.started      -           up');
  });

  it('escapes the control characters of an app (ESC, BEL, a newline) whatever stdout is: one line per event', () => {
    const sneaky: VelosEvent = {
      ...appEvent,
      message: 'two\nlines \u0007\u001b]0;title\u0007 \u009b31m',
      fields: { note: 'a\u001b[2Jb' },
    };
    const line = formatEventLine(sneaky, plain, NOW);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/);
    expect(line).toContain('two\\x0alines \\x07\\x1b]0;title\\x07 \\x9b31m note=a\\x1b[2Jb');
  });

  it('colours the severity only when colours are on', () => {
    expect(formatEventLine(exited, plain, NOW)).not.toMatch(/\x1b\[/);
    expect(formatEventLine(exited, colored, NOW)).toContain('\x1b[33mwarning ');
  });

  it('shows the date for events of another day', () => {
    expect(eventTime(NOW - 86_400_000, NOW)).toBe('2026-11-30 10:05:01');
  });

  it('gives --ai short keys, severity only when not info, the time in ISO UTC as log lines', () => {
    expect(toAiEvent({ ...exited, at: Date.UTC(2026, 11, 7, 23, 40, 5, 120) })).toEqual({
      t: '2026-12-07T23:40:05.120Z',
      k: 'process.exited',
      a: 'api',
      i: 0,
      m: 'api (id 0) exited with code 1 (crash)',
      s: 'warning',
      f: { code: 1, signal: null, reason: 'crash' },
    });
    expect(toAiEvent({ seq: 1, at: NOW, kind: 'daemon.started', severity: 'info', message: 'up' })).toEqual({
      t: new Date(NOW).toISOString(),
      k: 'daemon.started',
      m: 'up',
    });
  });
});

describe('events emit, bounded like app events', () => {
  it('takes the severity words of app events', () => {
    const severities = ['warn', 'warning', 'err', 'fatal', 'Critical', 'info'].map(
      (severity) => emitRequest(['x'], { severity }).severity,
    );
    expect(severities).toEqual(['warning', 'warning', 'error', 'critical', 'critical', 'info']);
  });

  it('cuts the message and string fields at 2000 characters, as app events are', () => {
    const long = 'a'.repeat(2100);
    const request = emitRequest(['x', `long=${long}`, `n=${'9'.repeat(2100)}`, 'ok=1'], { message: long });
    expect(request.message).toBe(`${'a'.repeat(1999)}…`);
    expect(request.fields).toEqual({ long: `${'a'.repeat(1999)}…`, n: `${'9'.repeat(1999)}…`, ok: 1 });
  });

  it('refuses a field given twice (the last one won, silently) and one named __proto__ (it was lost)', () => {
    expect(() => emitRequest(['x', 'a=1', 'b=2', 'a=3'], {})).toThrow('field "a" is given twice');
    expect(() => emitRequest(['x', '__proto__=1'], {})).toThrow(
      'field "__proto__": a name no field can have',
    );
  });

  it('refuses more fields or longer keys than an app event keeps, as usage errors', () => {
    const many = Array.from({ length: 51 }, (_, i) => `k${i}=1`);
    expect(Object.keys(emitRequest(['x', ...many.slice(0, 50)], {}).fields!)).toHaveLength(50);
    expect(() => emitRequest(['x', ...many], {})).toThrow('expected at most 50 fields, got 51');
    expect(() => emitRequest(['x', `${'k'.repeat(101)}=1`], {})).toThrow(
      'expected a key of at most 100 characters',
    );
    try {
      emitRequest(['x', ...many], {});
    } catch (error) {
      expect((error as { data?: { exitCode?: number } }).data?.exitCode).toBe(2);
    }
  });
});

describe('events request', () => {
  const input = (args: string[], options: Record<string, string | boolean>) => ({ args, options, rest: [] });

  it('reads durations back from now and ISO dates', () => {
    expect(timeBound('--since', '1h', NOW)).toBe(NOW - 3_600_000);
    expect(timeBound('--since', '90s', NOW)).toBe(NOW - 90_000);
    expect(timeBound('--until', '2026-01-02T03:04:05Z', NOW)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(() => timeBound('--since', 'yesterday', NOW)).toThrow('--since: expected a duration');
    expect(() => timeBound('--since', '10', NOW)).toThrow('--since: add a unit');
  });

  it('expands kind words to the names they start, keeps the rest', () => {
    expect(kindFilters('exit,errored')).toEqual(['exited', 'errored']);
    expect(kindFilters('restart')).toEqual(['restarting']);
    expect(kindFilters('process, job')).toEqual(['process', 'job']);
    expect(kindFilters('process.exited,sync.done,app')).toEqual(['process.exited', 'sync.done', 'app']);
    expect(() => kindFilters(' , ')).toThrow('--kind');
    expect(() => kindFilters('exit,bogus')).toThrow('--kind: unknown event kind "bogus"');
    expect(() => kindFilters('app.')).toThrow(
      /^--kind: unknown event kind "app\.": .* \(did you mean "app"\?\) /,
    );
    expect(() => kindFilters('proces.crashed')).toThrow(
      /\(did you mean "process"\? .*"app\.proces\.crashed"\) /,
    );
  });

  it('builds the request from target and options', () => {
    expect(eventsRequest(input(['api'], { since: '10m', kind: 'exit', limit: '5' }), NOW)).toEqual({
      target: 'api',
      since: NOW - 600_000,
      kinds: ['exited'],
      limit: 5,
    });
    expect(() => eventsRequest(input([], { limit: '0' }), NOW)).toThrow('--limit');
    expect(() => eventsRequest(input([], { since: '1m', until: '1h' }), NOW)).toThrow('--since is later');
  });

  it('types emit fields and checks the name and severity', () => {
    expect(
      emitRequest(['deploy.done', 'v=1.5', 'ok=true', 'n=null', 'who=bob', 'eq=a=b'], {
        severity: 'warning',
        app: 'api',
      }),
    ).toEqual({
      name: 'deploy.done',
      app: 'api',
      severity: 'warning',
      fields: { v: 1.5, ok: true, n: null, who: 'bob', eq: 'a=b' },
    });
    expect(() => emitRequest(['bad name'], {})).toThrow('event name');
    expect(() => emitRequest(['x'], { severity: 'loud' })).toThrow(
      '--severity: expected info, warning (or warn), error (or err), critical (or fatal), got "loud"',
    );
    expect(() => emitRequest(['x'], { severity: 'loud' })).toThrow('--severity');
    expect(() => emitRequest(['x', '=1'], {})).toThrow('key=value');
    expect(() => emitRequest([], {})).toThrow('needs <name>');
  });
});
