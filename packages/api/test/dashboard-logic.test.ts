import type { ProcessInfo, VelosEvent } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent } from '../dashboard/src/format.js';
import { isAtLeast, lineLevel, textMatcher } from '../dashboard/src/log-level.js';
import { parseRoute, routeHash } from '../dashboard/src/router.js';
import { appLabel, crashLooping, processLabel, summaryBucket } from '../dashboard/src/status.js';

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
    expect(crashLooping(events, NOW)).toEqual(new Set([1]));
    expect(
      crashLooping(
        events.map((e) => ({ ...e, fields: { reason: 'user' } })),
        NOW,
      ).size,
    ).toBe(0);
    expect(crashLooping(events, NOW + 10 * 60_000).size).toBe(0);
    expect(processLabel(proc({ status: 'waiting-restart' }), new Set([1]))).toEqual({
      word: 'crash loop',
      tone: 'warn',
    });
    expect(processLabel(proc({ status: 'waiting-restart' }))).toEqual({ word: 'restarting', tone: 'warn' });
  });

  it('names an app by its worst instance, or how many of them are online', () => {
    const mixed = [proc({ id: 1 }), proc({ id: 2, status: 'errored', pid: null })];
    expect(appLabel(mixed)).toEqual({ word: '1/2 online', tone: 'bad' });
    expect(summaryBucket(appLabel(mixed))).toBe('errored');
    expect(
      summaryBucket(appLabel([proc({ health: { state: 'degraded', ready: true, lastFailure: null } })])),
    ).toBe('degraded');
    expect(summaryBucket(appLabel([proc({ status: 'stopped', pid: null })]))).toBe('stopped');
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

  it('reads levels from JSON lines first, then from the words, and filters at least as severe', () => {
    const line = { ts: NOW, stream: 'out' as const, id: 1, name: 'web', pid: 1 };
    expect(lineLevel({ ...line, line: 'all good', lvl: 'warn' })).toBe('warn');
    expect(lineLevel({ ...line, line: 'ERROR payment failed' })).toBe('error');
    expect(lineLevel({ ...line, line: 'GET / 200' })).toBe('info');
    expect(isAtLeast('fatal', 'error')).toBe(true);
    expect(isAtLeast('warn', 'error')).toBe(false);
    expect(textMatcher('/time(out)?s?/')('upstream timeouts')).toBe(true);
    expect(textMatcher('[unclosed')('an [unclosed bracket')).toBe(true);
  });

  it('writes figures with their units', () => {
    expect(formatBytes(48.2 * 1024 * 1024)).toBe('48.2 MB');
    expect(formatPercent(3.04)).toBe('3.0 %');
    expect(formatDuration(3_725_000)).toBe('1 h 2 m');
    expect(formatDuration(0)).toBe('–');
  });
});
