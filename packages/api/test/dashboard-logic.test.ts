import {
  EXIT_REASONS,
  isRequestedRestart,
  type LogPatternInfo,
  type ProcessInfo,
  type VelosEvent,
} from '@velos/core';
import { classifyLine } from '@velos/log-engine';
import { describe, expect, it } from 'vitest';
import { ApiError, problemSide, seg } from '../dashboard/src/api.js';
import { describeAlertWhen } from '../dashboard/src/components/alert-list.js';
import { TEMPLATE_CELL_CHARS, templateCell, templateLevel } from '../dashboard/src/components/log-summary.js';
import { exitText } from '../dashboard/src/components/process-row.js';
import { lastCrashExit } from '../dashboard/src/crash-exit.js';
import {
  formatAxisTime,
  formatBytes,
  formatClock,
  formatDuration,
  formatPercent,
  plural,
} from '../dashboard/src/format.js';
import { nextRunText } from '../dashboard/src/job-state.js';
import { createLineLeveler, isAtLeast, searchPattern, textMatcher } from '../dashboard/src/log-level.js';
import { parseRoute, routeHash } from '../dashboard/src/router.js';
import { isSameRules, lastRulesChange } from '../dashboard/src/rules-change.js';
import { sampledSum } from '../dashboard/src/samples.js';
import { scaleTarget } from '../dashboard/src/scale-input.js';
import { searchNote } from '../dashboard/src/search-note.js';
import { appLabel, processLabel, restartLoops, summaryBucket } from '../dashboard/src/status.js';
import { inlineToml } from '../dashboard/src/toml-inline.js';

const NOW = 1_800_000_000_000;

function proc(overrides: Partial<ProcessInfo>): ProcessInfo {
  return {
    id: 1,
    name: 'web',
    namespace: 'default',
    instance: 0,
    pid: 100,
    status: 'online',
    restarts: 0,
    unstableRestarts: 0,
    cpu: 0,
    memory: 0,
    uptime: 0,
    startedAt: NOW,
    createdAt: NOW,
    exitCode: null,
    signal: null,
    lastExitReason: null,
    restartAt: null,
    execMode: 'fork',
    type: 'service',
    ...overrides,
  };
}

function restarting(id: number, at: number, reason = 'crash'): VelosEvent {
  return {
    seq: at,
    at,
    kind: 'process.restarting',
    severity: 'info',
    id,
    app: 'web',
    message: '',
    fields: { reason },
  };
}

describe('dashboard status words', () => {
  it('says crash loop after three restarts of its own within five minutes, not for user restarts', () => {
    const events = [restarting(1, NOW - 60_000), restarting(1, NOW - 30_000), restarting(1, NOW - 1000)];
    const crashLoops = (reason: string, now = NOW) =>
      restartLoops(
        events.map((e) => ({ ...e, fields: { reason } })),
        now,
      ).crash;
    expect(restartLoops(events, NOW)).toEqual({ crash: new Set([1]), primary: new Set() });
    expect(crashLoops('user').size).toBe(0);
    expect(crashLoops('crash', NOW + 10 * 60_000).size).toBe(0);
    // asked for or planned: a reload (`velos reload` three times), a file change, a cron tick; or not
    // the process's doing: its cluster primary exited (SUP-5)
    for (const reason of ['reload', 'watch', 'cron', 'primary-exit']) expect(crashLoops(reason).size).toBe(0);
    // the process's own doing: the memory limit, a failing liveness probe, inactivity, a clean exit
    for (const reason of ['memory', 'unhealthy', 'inactivity', 'exit'])
      expect(crashLoops(reason)).toEqual(new Set([1]));
    expect(processLabel(proc({ status: 'waiting-restart' }), restartLoops(events, NOW))).toEqual({
      word: 'crash loop',
      tone: 'warn',
    });
    expect(processLabel(proc({ status: 'waiting-restart' }))).toEqual({ word: 'restarting', tone: 'warn' });
  });

  it('says crash loop or primary exiting from the row’s recentRestarts, without the events', () => {
    const online = (recentRestarts: { own: number; primary: number }) =>
      proc({ status: 'online', recentRestarts });
    expect(processLabel(online({ own: 3, primary: 0 }))).toEqual({ word: 'crash loop', tone: 'warn' });
    expect(processLabel(online({ own: 0, primary: 3 }))).toEqual({ word: 'primary exiting', tone: 'warn' });
    expect(processLabel(online({ own: 2, primary: 2 }))).toEqual({ word: 'online', tone: 'ok' });
    expect(processLabel(proc({ status: 'errored', recentRestarts: { own: 5, primary: 0 } })).word).toBe(
      'errored',
    );
  });

  it('sorts every exit reason as core does: asked for, the primary’s, or the process’s own', () => {
    // the browser bundle cannot import core's isRequestedRestart: its own list must agree with it
    for (const reason of EXIT_REASONS) {
      const events = [NOW - 3000, NOW - 2000, NOW - 1000].map((at) => restarting(1, at, reason));
      const loops = restartLoops(events, NOW);
      const kind = isRequestedRestart(reason) ? 'asked' : reason === 'primary-exit' ? 'primary' : 'own';
      expect([reason, loops.crash.size, loops.primary.size]).toEqual([
        reason,
        kind === 'own' ? 1 : 0,
        kind === 'primary' ? 1 : 0,
      ]);
    }
  });

  it('says primary exiting, not crash loop, for workers whose cluster primary keeps exiting (SUP-5)', () => {
    // a primary that dies at every start: each worker's runs are cut short, reason primary-exit
    const worker = (overrides: Partial<ProcessInfo>) =>
      proc({
        execMode: 'cluster',
        unstableRestarts: 3,
        lastExitReason: 'primary-exit',
        pid: null,
        ...overrides,
      });
    const primaryExiting = { word: 'primary exiting', tone: 'warn' };
    for (const status of ['waiting-restart', 'starting', 'online'] as const) {
      expect(processLabel(worker({ status }))).toEqual(primaryExiting);
    }
    const workers = [worker({ id: 1 }), worker({ id: 2, instance: 1 }), worker({ id: 3, instance: 2 })];
    expect(appLabel(workers)).toEqual(primaryExiting);
    expect(summaryBucket(appLabel(workers))).toBe('degraded');
    // after max_restarts the workers are errored, like any other process
    expect(processLabel(worker({ status: 'errored' }))).toEqual({ word: 'errored', tone: 'bad' });
    // a worker crashing on its own is still a crash loop
    expect(processLabel(worker({ status: 'waiting-restart', lastExitReason: 'crash', exitCode: 1 }))).toEqual(
      {
        word: 'crash loop',
        tone: 'warn',
      },
    );
    // a primary that lives past min_uptime but exits again and again: three times in five minutes
    const events = [NOW - 200_000, NOW - 100_000, NOW - 1000].map((at) => restarting(1, at, 'primary-exit'));
    const loops = restartLoops(events, NOW);
    expect(loops).toEqual({ crash: new Set(), primary: new Set([1]) });
    const stable = proc({ execMode: 'cluster', lastExitReason: 'primary-exit' });
    expect(processLabel(stable, loops)).toEqual(primaryExiting);
    expect(processLabel(stable)).toEqual({ word: 'online', tone: 'ok' });
    expect(restartLoops(events, NOW + 10 * 60_000).primary.size).toBe(0);
    // its own crashes in the same window win: the worker itself is failing
    const own = [NOW - 90_000, NOW - 50_000, NOW - 2000].map((at) => restarting(1, at, 'crash'));
    expect(processLabel(stable, restartLoops([...events, ...own], NOW))).toEqual({
      word: 'crash loop',
      tone: 'warn',
    });
  });

  it('names an app by its worst instance, or how many of them are online', () => {
    const mixed = [proc({ id: 1 }), proc({ id: 2, status: 'errored', pid: null })];
    expect(appLabel(mixed)).toEqual({ word: '1/2 online', tone: 'bad' });
    expect(summaryBucket(appLabel(mixed))).toBe('errored');
    expect(
      summaryBucket(appLabel([proc({ health: { state: 'degraded', ready: true, lastFailure: null } })])),
    ).toBe('degraded');
    expect(summaryBucket(appLabel([proc({ status: 'stopped', pid: null })]))).toBe('stopped');
    // a job waiting for its next run is not online: it has a count of its own
    const job = proc({ status: 'scheduled', pid: null });
    expect(appLabel([job])).toEqual({ word: 'scheduled', tone: 'info' });
    expect(summaryBucket(appLabel([job]))).toBe('scheduled');
  });
});

describe('dashboard routes, levels and figures', () => {
  it('keeps the view, the app and the filters in the hash', () => {
    const route = parseRoute('#/app/my%20api?range=24h&level=error');
    expect(route).toMatchObject({ view: 'app', app: 'my api' });
    expect(route.params.get('level')).toBe('error');
    expect(routeHash('app', 'my api', { range: '24h', q: undefined })).toBe('#/app/my%20api?range=24h');
    expect(parseRoute('#/nowhere').view).toBe('overview');
  });

  it('carries app names of any script in the hash and in API paths, percent-encoded', () => {
    for (const name of ['注文', 'заказы-api', 'café-api']) {
      expect(routeHash('app', name)).toBe(`#/app/${encodeURIComponent(name)}`);
      expect(parseRoute(routeHash('app', name)).app).toBe(name);
      expect(seg(name)).toBe(encodeURIComponent(name));
    }
    // a browser may show the hash decoded; a malformed escape does not break the page
    expect(parseRoute('#/app/注文').app).toBe('注文');
    expect(parseRoute('#/app/%E6%B3').app).toBe('%E6%B3');
  });

  it('gives lines the log engine’s levels: a JSON line’s own, else the engine’s classifier', () => {
    const line = { ts: NOW, stream: 'out' as const, id: 1, name: 'web', pid: 1 };
    const level = createLineLeveler();
    expect(level({ ...line, line: 'all good', lvl: 'warn' })).toBe('warn');
    expect(level({ ...line, line: 'all good', lvl: 'trace' })).toBe('debug');
    expect(level({ ...line, line: 'ERROR payment failed' })).toBe('error');
    expect(level({ ...line, line: 'GET / 200' })).toBe('info');
    // no level word: info to the engine (and so to the server's level filter), stderr or not
    expect(level({ ...line, stream: 'err', line: 'ticker 123 err 600' })).toBe('info');
    expect(level({ ...line, line: 'request failed after 3 tries' })).toBe('error');
    // exactly the engine's answer, stream included
    const samples = [
      'ticker 123 err 600',
      'WARN slow query took 900ms on table orders',
      'could not open config, using defaults',
      '{"level":"error","msg":"upstream timeout after 30ms"}',
      'Traceback (most recent call last):',
      'E1122 10:00:12.345678 1 main.go:12] boom',
      'deprecated option --foo',
      'level=debug cache warm',
      'fatal: not a git repository',
    ];
    for (const stream of ['out', 'err'] as const) {
      for (const text of samples) {
        expect([stream, text, createLineLeveler()({ ...line, stream, line: text })]).toEqual([
          stream,
          text,
          classifyLine(text, { stream }),
        ]);
      }
    }
    expect(isAtLeast('fatal', 'error')).toBe(true);
    expect(isAtLeast('warn', 'error')).toBe(false);
  });

  it('tries an app’s log_rules first, for that app only, its stack frames following', () => {
    const line = { ts: NOW, stream: 'out' as const, id: 1, name: 'payments', pid: 1 };
    const level = createLineLeveler(
      new Map([['payments', [{ match: 'card declined$', level: 'info' as const, stream: 'out' as const }]]]),
    );
    expect(level({ ...line, line: 'ERROR payment failed: card declined' })).toBe('info');
    expect(level({ ...line, line: '    at charge (pay.js:1:1)' })).toBe('info');
    expect(level({ ...line, stream: 'err', line: 'ERROR payment failed: card declined' })).toBe('error');
    expect(level({ ...line, name: 'shop', id: 2, line: 'ERROR payment failed: card declined' })).toBe(
      'error',
    );
    // a JSON line's own level wins over a rule, as on the server
    expect(level({ ...line, line: 'card declined', lvl: 'warn' })).toBe('warn');
  });

  it('gives a java.util.logging record the level of its second line, as the engine does', () => {
    const line = { ts: NOW, stream: 'err' as const, id: 1, name: 'tomcat', pid: 1 };
    const level = createLineLeveler();
    const record = [
      'Mar 14, 2026 9:00:10 PM com.x.Y method',
      'SEVERE: message broke',
      '\tat com.x.Y.method(Y.java:12)',
      // after an error: a header is not the error's, its record is a warning
      'Mar 14, 2026 9:00:11 PM com.x.Y method',
      'WARNING: pool low',
    ];
    expect(record.map((text) => level({ ...line, line: text }))).toEqual([
      'info',
      'error',
      'error',
      'info',
      'warn',
    ]);
  });

  it('finds the newest crash exit of an app, after which a level search may raise its last lines', () => {
    const exited = (seq: number, app: string, fields: VelosEvent['fields']): VelosEvent => ({
      seq,
      at: NOW,
      kind: 'process.exited',
      severity: 'warning',
      message: 'exited',
      app,
      fields,
    });
    const events = [
      exited(1, 'api', { reason: 'crash', code: 1 }),
      exited(2, 'api', { reason: 'memory', signal: 'SIGKILL' }),
      // asked for, or a clean end: nothing raised
      exited(3, 'api', { reason: 'user', signal: 'SIGTERM' }),
      exited(4, 'api', { reason: 'crash', code: 0 }),
      exited(5, 'worker', { reason: 'crash', code: 2 }),
    ];
    expect(lastCrashExit(events, 'api')).toBe(2);
    expect(lastCrashExit(events, 'worker')).toBe(5);
    expect(lastCrashExit(events, 'web')).toBe(0);
  });

  it('reads an app’s log_rules again after an event that may change them, and only then', () => {
    const event = (seq: number, kind: string, fields: VelosEvent['fields'], app?: string): VelosEvent => ({
      seq,
      at: NOW,
      kind,
      severity: 'info',
      message: kind,
      fields,
      ...(app === undefined ? {} : { app }),
    });
    const applied = (seq: number, names: Record<string, string>) =>
      event(seq, 'config.applied', { addedNames: '', changedNames: '', updatedNames: '', ...names });
    const events = [
      applied(1, { updatedNames: 'api,worker' }),
      event(2, 'process.started', { reason: 'start' }, 'web'),
      event(3, 'process.started', { reason: 'crash' }, 'api'),
      applied(4, { removedNames: 'api' }),
      applied(5, { changedNames: 'webhooks' }),
      event(6, 'process.exited', { reason: 'crash' }, 'worker'),
      // a new instance count beside other keys (log_rules among them) is reported as scaled
      applied(7, { scaledNames: 'queue' }),
    ];
    expect(lastRulesChange(events, 'api')).toBe(1);
    expect(lastRulesChange(events, 'worker')).toBe(1);
    // a fresh start may bring another file's rules; a restart does not
    expect(lastRulesChange(events, 'web')).toBe(2);
    // names are whole: webhooks is not web
    expect(lastRulesChange(events.slice(0, 4), 'web')).toBe(2);
    expect(lastRulesChange(events, 'queue')).toBe(7);
    expect(lastRulesChange(events, 'all')).toBe(7);
    expect(lastRulesChange(events, 'db')).toBe(0);
    expect(lastRulesChange([], 'all')).toBe(0);

    const rules = new Map([['api', [{ match: 'x', level: 'warn' as const }]]]);
    expect(isSameRules(rules, new Map([['api', [{ match: 'x', level: 'warn' as const }]]]))).toBe(true);
    expect(isSameRules(rules, new Map([['api', [{ match: 'x', level: 'error' as const }]]]))).toBe(false);
    expect(isSameRules(rules, new Map())).toBe(false);
  });

  it('gives a stack frame the level of the line that began its event, as the server’s search does', () => {
    const line = { ts: NOW, id: 1, name: 'web', pid: 1 };
    const level = createLineLeveler();
    expect(level({ ...line, stream: 'err', line: 'Error: boom' })).toBe('error');
    expect(level({ ...line, stream: 'out', line: 'GET / 200' })).toBe('info');
    // the frame on stderr follows stderr's `Error: boom`, not stdout's line between them
    expect(level({ ...line, stream: 'err', line: '    at main (app.js:1:2)' })).toBe('error');
    expect(level({ ...line, stream: 'out', line: '    at main (app.js:1:2)' })).toBe('info');
    // of another process: its own event
    expect(level({ ...line, id: 2, stream: 'err', line: 'WARN retrying' })).toBe('warn');
    expect(level({ ...line, id: 2, stream: 'err', line: '    at retry (app.js:9:1)' })).toBe('warn');
  });

  it('searches text as text and /…/ as a regular expression, both ignoring case', () => {
    expect(textMatcher('/time(out)?s?/')('upstream TIMEOUTS')).toBe(true);
    expect(textMatcher('[payment]')('ERROR payment failed')).toBe(false);
    expect(textMatcher('[payment]')('a [Payment] line')).toBe(true);
    expect(textMatcher('1.5')('GET / 200 125ms')).toBe(false);
    expect(textMatcher('1.5')('took 1.5 s')).toBe(true);
    expect(textMatcher('/1.5/')('GET / 200 125ms')).toBe(true);
    expect(textMatcher('[unclosed')('an [unclosed bracket')).toBe(true);
    expect(textMatcher('')('anything')).toBe(true);
    // what the server is sent: the regular expression as written, text escaped
    expect(searchPattern('1.5 (x)')).toBe('1\\.5 \\(x\\)');
    expect(searchPattern('/pay(ment)? fail/')).toBe('pay(ment)? fail');
    expect(searchPattern('/')).toBe('/');
    expect(searchPattern('')).toBeUndefined();
    // a bad one is an error, never quietly text
    expect(() => textMatcher('/[unclosed/')).toThrow(/^\/\[unclosed\/ is not a valid regular expression: /);
    expect(() => searchPattern('/(a)\\1/')).toThrow(/backreferences .* are not supported/);
    expect(() => searchPattern('/(?=a)b/')).toThrow(/lookarounds .* are not supported/);
  });

  it('reads the scale box as the daemon does, before any confirmation', () => {
    expect(scaleTarget('web', 1, '3')).toEqual({ count: 3 });
    expect(scaleTarget('web', 3, ' -1 ')).toEqual({ count: 2 });
    expect(scaleTarget('web', 3, '+2')).toEqual({ count: 5 });
    expect(scaleTarget('web', 1, '-5').error).toBe(
      '-5 gives -4 instances (web has 1): expected 1 to 1024 (stop or delete the app to run none)',
    );
    expect(scaleTarget('web', 1, '-1').error).toMatch(/^-1 gives 0 instances/);
    expect(scaleTarget('web', 1, '0').error).toMatch(/^0 instances: expected 1 to 1024/);
    expect(scaleTarget('web', 1, '99999').error).toMatch(/^99999 instances: expected 1 to 1024/);
    expect(scaleTarget('web', 1024, '+1').error).toMatch(/^\+1 gives 1025 instances/);
    for (const typed of ['1.5', '', '  ', 'two', '1e3', '--1']) {
      expect(scaleTarget('web', 1, typed).error).toBe(
        `expected a whole number of instances N (1 to 1024), +N or -N, got ${JSON.stringify(typed.trim())}`,
      );
    }
  });

  it('says when a search returned only the newest of its matches', () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        ts: i,
        stream: 'out' as const,
        id: 1,
        name: 'web',
        pid: 1,
        line: 'x',
      }));
    const scanned = { lines: 12_000, files: ['/x/web-out.log'] };
    expect(searchNote({ lines: lines(20), scanned }, 500)).toBe(
      `Searched ${(12_000).toLocaleString()} lines.`,
    );
    expect(
      searchNote({ lines: lines(500), scanned, cut: { maxBytes: 1, omittedLines: 734, files: [] } }, 500),
    ).toBe(
      `Searched ${(12_000).toLocaleString()} lines. Showing the newest 500 of ${(1234).toLocaleString()} or more matches: refine the search or narrow the range to see older ones.`,
    );
    expect(searchNote({ lines: lines(500), scanned }, 500)).toMatch(
      /Showing the newest 500 matches, the most one search returns: older ones may be left out/,
    );
    expect(searchNote({ lines: [], scanned: { ...scanned, isPartial: true } }, 500)).toMatch(
      /\(the time budget stopped the scan early\)\.$/,
    );
    expect(searchNote({ lines: lines(1), scanned: { lines: 1, files: [] } }, 500)).toBe('Searched 1 line.');
  });

  it('blames the server, not the daemon, for a 503 without the API error (a server closing said daemon down)', () => {
    expect(problemSide(new ApiError(503, 'DAEMON_UNAVAILABLE', 'cannot reach the Velos daemon'))).toBe(
      'daemon',
    );
    expect(problemSide(new ApiError(503, 'HTTP_503', '503 Service Unavailable'))).toBe('server');
    expect(problemSide(new ApiError(0, 'UNREACHABLE', 'the Velos API server cannot be reached'))).toBe(
      'server',
    );
    expect(problemSide(new ApiError(500, 'INTERNAL', 'boom'))).toBeNull();
    expect(problemSide(new Error('x'))).toBeNull();
  });

  it("labels the charts' time axis on the 24-hour clock, the day under its first tick (it said 2:05pm, 12/6/26)", () => {
    const at = (day: number, hour: number, minute: number) => new Date(2026, 11, day, hour, minute).getTime();
    const day = (ms: number) => new Date(ms).toLocaleDateString([], { month: 'short', day: 'numeric' });
    expect(formatAxisTime(at(6, 14, 5), null)).toBe(`14:05\n${day(at(6, 14, 5))}`);
    expect(formatAxisTime(at(6, 14, 15), at(6, 14, 5))).toBe('14:15');
    expect(formatAxisTime(at(7, 0, 0), at(6, 21, 0))).toBe(`00:00\n${day(at(7, 0, 0))}`);
  });

  it('stamps log rows on the 24-hour clock from midnight, fast enough for a flood of rows (it said 24:00:07)', () => {
    const today = new Date();
    expect(formatClock(new Date(today).setHours(0, 0, 7, 0))).toBe('00:00:07');
    expect(formatClock(new Date(today).setHours(14, 3, 27, 0))).toBe('14:03:27');
    expect(formatClock(new Date(2020, 2, 3, 0, 5, 9).getTime())).toBe('Mar 3 00:05');
    // each row's time: a formatter made per call took ~0.25 ms (5 s for 20,000 rows), one made once ~1 µs
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) formatClock(NOW + i * 1000);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("shows a config table in velos.toml's inline form, not as JSON", () => {
    expect(
      inlineToml({
        http: { url: 'http://127.0.0.1:1/ready', status: '200-399' },
        interval: '2s',
        failure_threshold: 3,
      }),
    ).toBe(
      '{ http = { url = "http://127.0.0.1:1/ready", status = "200-399" }, interval = "2s", failure_threshold = 3 }',
    );
    expect(inlineToml(['**/node_modules/**', '**/.git/**'])).toBe('["**/node_modules/**", "**/.git/**"]');
    expect(inlineToml({ 'a.b': true })).toBe('{ "a.b" = true }');
  });

  it('counts lines and templates in the singular when there is one (it said `1 lines · 1 templates`)', () => {
    expect(plural(1, 'line')).toBe('1 line');
    expect(plural(1, 'template')).toBe('1 template');
    expect(plural(0, 'line')).toBe('0 lines');
    expect(plural(1234, 'line')).toBe(`${(1234).toLocaleString()} lines`);
  });

  it("says when a job runs next, as velos list does (the page said only 'scheduled')", () => {
    const job = (nextRunAt: number | null) =>
      proc({
        type: 'job',
        pid: null,
        status: 'scheduled',
        job: { lastRun: null, nextRunAt, runs: 0, skipped: 0 },
      });
    expect(nextRunText(job(NOW + 4 * 60_000 + 10_000), NOW)).toBe('in 4 m 10 s');
    expect(nextRunText(job(NOW + 30_000), NOW)).toBe('in 30 s');
    expect(nextRunText(job(NOW + 200), NOW)).toBe('due now');
    expect(nextRunText(job(NOW - 5_000), NOW)).toBe('due now');
    expect(nextRunText(job(null), NOW)).toBe('none');
    expect(nextRunText(proc({}), NOW)).toBeNull();
  });

  it('writes figures with their units', () => {
    expect(formatBytes(48.2 * 1024 * 1024)).toBe('48.2 MB');
    expect(formatPercent(3.04)).toBe('3.0 %');
    expect(formatDuration(3_725_000)).toBe('1 h 2 m');
    expect(formatDuration(600_000)).toBe('10 m');
    expect(formatDuration(0)).toBe('–');
  });
});

describe('describeAlertWhen', () => {
  it('words a rule with its for, and a window in minutes or hours, not thousands of seconds', () => {
    const rule = { when: { kind: 'restarts' as const, count: 3, windowMs: 3_600_000 }, forMs: 0 };
    expect(describeAlertWhen(rule)).toBe('3+ restarts in 1 h');
    expect(describeAlertWhen({ when: { kind: 'unhealthy' }, forMs: 90_000 })).toBe('unhealthy for 1 m 30 s');
  });
});

describe('exitText', () => {
  it('words the last exit: reason and code or signal', () => {
    expect(exitText(proc({ lastExitReason: 'crash', exitCode: 1 }))).toBe('crash (exit 1)');
    expect(exitText(proc({ lastExitReason: 'exit', exitCode: 0 }))).toBe('exit 0');
    expect(exitText(proc({ lastExitReason: 'memory', signal: 'SIGKILL' }))).toBe('memory (SIGKILL)');
  });

  it('calls the end of a re-adopted run an exit of unknown code, not a crash (SUP-13)', () => {
    expect(exitText(proc({ lastExitReason: 'unknown' }))).toBe('exited (code unknown: re-adopted)');
  });

  it('calls the end of a cluster worker with its primary that, not a crash (SUP-5)', () => {
    expect(exitText(proc({ lastExitReason: 'primary-exit', execMode: 'cluster' }))).toBe(
      'ended with its cluster primary',
    );
  });
});

describe('log summary templates', () => {
  const pattern = (overrides: Partial<LogPatternInfo>): LogPatternInfo => ({
    id: 1,
    template: 'GET /api/orders/<*> HTTP/1.1 <*> <*>ms',
    count: 200,
    level: 'error',
    trend: 'stable',
    sample: 'GET /api/orders/199 HTTP/1.1 200 39ms',
    ...overrides,
  });

  it('tags a template whose lines are not all errors with its error lines, as velos logs --summary does', () => {
    // the CLI: `200× [40 error] GET …`
    expect(templateLevel(pattern({ errorCount: 40 }))).toEqual({
      text: '40 error',
      title: '40 of its 200 lines are errors; the others are not',
    });
    expect(templateLevel(pattern({ count: 12_000, errorCount: 1500, level: 'fatal' })).text).toBe(
      `${(1500).toLocaleString()} fatal`,
    );
    // all its lines at its level: the level alone
    expect(templateLevel(pattern({}))).toEqual({ text: 'error' });
    expect(templateLevel(pattern({ level: 'info' }))).toEqual({ text: 'info' });
  });

  it('cuts a long template and the sample of its tooltip, never within an emoji', () => {
    const long = `long:${'y'.repeat(5000)}`;
    expect(templateCell(pattern({ template: long, sample: long }))).toEqual({
      text: `${long.slice(0, TEMPLATE_CELL_CHARS - 1)}…`,
      title: `${long.slice(0, TEMPLATE_CELL_CHARS - 1)}…`,
    });
    // no template: the sample stands in
    expect(templateCell(pattern({ template: '' })).text).toBe('GET /api/orders/199 HTTP/1.1 200 39ms');
    const emoji = `${'x'.repeat(TEMPLATE_CELL_CHARS - 2)}😀 and more`;
    expect(templateCell(pattern({ template: emoji })).text).toBe(`${'x'.repeat(TEMPLATE_CELL_CHARS - 2)}…`);
  });
});

// a process started a moment ago showed "0 B" and "0.0 %" until the monitor's first sample
describe('sampledSum', () => {
  it('sums the running processes the monitor has sampled, and is null (shown "–") before any sample', () => {
    const fresh = proc({ id: 1, memory: 0, cpu: 0 });
    const sampled = proc({ id: 2, memory: 50 * 1048576, cpu: 3 });
    const stopped = proc({ id: 3, pid: null, status: 'stopped', memory: 9, cpu: 9 });
    expect(sampledSum([fresh], (p) => p.memory)).toBeNull();
    expect(formatBytes(sampledSum([fresh, stopped], (p) => p.memory))).toBe('–');
    expect(formatPercent(sampledSum([fresh], (p) => p.cpu))).toBe('–');
    expect(sampledSum([fresh, sampled, stopped], (p) => p.memory)).toBe(50 * 1048576);
    expect(formatPercent(sampledSum([fresh, sampled], (p) => p.cpu))).toBe('3.0 %');
  });
});
