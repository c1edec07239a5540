import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_EVENT_NAME,
  EVENT_KINDS,
  expandEventKindWords,
  matchesEventKind,
  unknownEventKindReason,
} from '../src/events.js';

const reference = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'events.md'), 'utf8');

describe('docs/events.md', () => {
  it('documents every kind of EVENT_KINDS', () => {
    const missing = EVENT_KINDS.filter((kind) => !reference.includes(`\`${kind}\``));
    expect(missing).toEqual([]);
  });
});

describe('event kinds', () => {
  it('are <category>.<name> and unique', () => {
    expect(new Set(EVENT_KINDS).size).toBe(EVENT_KINDS.length);
    for (const kind of EVENT_KINDS) expect(kind).toMatch(/^[a-z]+\.[a-z_]+$/);
  });

  it('match a filter by whole kind, category or name', () => {
    const exited = { kind: 'process.exited' };
    expect(matchesEventKind(exited, [])).toBe(true);
    expect(matchesEventKind(exited, ['process.exited'])).toBe(true);
    expect(matchesEventKind(exited, ['process'])).toBe(true);
    expect(matchesEventKind(exited, ['exited'])).toBe(true);
    expect(matchesEventKind(exited, ['exit', 'job'])).toBe(false);
    expect(matchesEventKind({ kind: 'app.sync.done' }, ['sync.done'])).toBe(true);
    expect(matchesEventKind({ kind: 'app.sync.done' }, ['app'])).toBe(true);
  });

  it("match OBS-2's words restarted, unhealthy and recovered by kind and health state", () => {
    const health = (from: string, to: string) => ({
      kind: 'process.health',
      fields: { from, to, probe: 'liveness' },
    });
    expect(matchesEventKind({ kind: 'process.restarting' }, ['restarted'])).toBe(true);
    expect(matchesEventKind({ kind: 'process.started' }, ['restarted'])).toBe(false);
    expect(matchesEventKind(health('healthy', 'unhealthy'), ['unhealthy'])).toBe(true);
    expect(matchesEventKind(health('unknown', 'unhealthy'), ['unhealthy'])).toBe(true);
    expect(matchesEventKind(health('healthy', 'degraded'), ['unhealthy'])).toBe(false);
    expect(matchesEventKind(health('unhealthy', 'healthy'), ['unhealthy'])).toBe(false);
    expect(matchesEventKind(health('unhealthy', 'healthy'), ['recovered'])).toBe(true);
    expect(matchesEventKind(health('degraded', 'healthy'), ['recovered'])).toBe(true);
    // a first healthy result is no recovery
    expect(matchesEventKind(health('unknown', 'healthy'), ['recovered'])).toBe(false);
    expect(matchesEventKind(health('healthy', 'unhealthy'), ['recovered'])).toBe(false);
    expect(matchesEventKind({ kind: 'daemon.recovered', fields: { status: 'healthy' } }, ['recovered'])).toBe(
      true,
    );
    expect(matchesEventKind({ kind: 'process.health' }, ['unhealthy', 'recovered'])).toBe(false);
    expect(matchesEventKind({ kind: 'process.exited' }, ['toString', 'constructor'])).toBe(false);
  });

  it('take the aliases as known filters', () => {
    for (const alias of ['restarted', 'unhealthy', 'recovered'])
      expect(unknownEventKindReason(alias)).toBeNull();
    expect(unknownEventKindReason('process.restarted')).toMatch(/alias \(restarted, unhealthy, recovered\)/);
  });

  it('refuse a filter that can match nothing, a trailing dot or a misspelt category, with the word meant', () => {
    const meant = (filter: string) =>
      unknownEventKindReason(filter)?.match(/\(did you mean .*\)$/)?.[0] ?? null;
    expect(meant('app.')).toBe('(did you mean "app"?)');
    expect(meant('process.')).toBe('(did you mean "process"?)');
    expect(meant('app.sync.')).toBe('(did you mean "app.sync"?)');
    expect(meant('process.restarted')).toBe('(did you mean "process.restarting"?)');
    expect(meant('porcess.exited')).toBe('(did you mean "process.exited"?)');
    expect(meant('job.finishd')).toBe('(did you mean "job.finished"?)');
    expect(meant('exitd')).toBe('(did you mean "exited"?)');
    expect(meant('proces.crashed')).toBe(
      '(did you mean "process"? an app\'s own event is "app.proces.crashed")',
    );
    expect(unknownEventKindReason('sync.')).toMatch(/^unknown event kind "sync\.": expected a kind/);
    expect(unknownEventKindReason('app.*')).toMatch(/^unknown event kind "app\.\*": expected a kind/);
    expect(expandEventKindWords(['exit', 'app.'])).toBe(unknownEventKindReason('app.'));
    // an app's own dotted names stay selectable, also one edit from a short category
    for (const name of ['sync.done', 'progress.update', 'blog.post', 'logs.rotated', 'app.alerts.sent'])
      expect(unknownEventKindReason(name), name).toBeNull();
  });

  it("take an app event's name in the plural of a daemon category as before, unless it names the category's kind", () => {
    // taken before a category one letter off was refused: a config's `event alerts.sent` must still load
    for (const name of [
      'alerts.sent',
      'daemons.ready',
      'configs.loaded',
      'components.synced',
      'Alerts.sent',
    ]) {
      expect(unknownEventKindReason(name), name).toBeNull();
      expect(expandEventKindWords(['exit', name])).toEqual(['exited', name]);
    }
    expect(matchesEventKind({ kind: 'app.alerts.sent' }, ['alerts.sent'])).toBe(true);
    expect(matchesEventKind({ kind: 'alert.firing' }, ['alerts.sent'])).toBe(false);
    const meant = (filter: string) =>
      unknownEventKindReason(filter)?.match(/\(did you mean .*\)$/)?.[0] ?? null;
    // a kind of the category misspelt, and a doubled letter, stay refused
    expect(meant('alerts.firing')).toBe('(did you mean "alert.firing"?)');
    expect(meant('daemons.started')).toBe('(did you mean "daemon.started"?)');
    expect(meant('processs.crashed')).toBe(
      '(did you mean "process"? an app\'s own event is "app.processs.crashed")',
    );
  });

  it('expand the start of a name the daemon raises, keep known words, and refuse the rest', () => {
    expect(expandEventKindWords(['exit', 'errored'])).toEqual(['exited', 'errored']);
    expect(expandEventKindWords(['restart', 'restarted'])).toEqual(['restarting', 'restarted']);
    expect(expandEventKindWords(['process', 'process.exited', 'app', 'app.q', 'sync.done'])).toEqual([
      'process',
      'process.exited',
      'app',
      'app.q',
      'sync.done',
    ]);
    expect(expandEventKindWords(['exit', 'exited'])).toEqual(['exited']);
    for (const bad of ['exitt', 'process.restarted', 'bogus', ''])
      expect(expandEventKindWords(['exit', bad])).toBe(unknownEventKindReason(bad));
  });

  it('app event names follow APP_EVENT_NAME', () => {
    for (const name of ['sync.done', 'payment-failed', 'a:b', '_x', '9'])
      expect(APP_EVENT_NAME.test(name)).toBe(true);
    for (const name of ['', '.x', '-x', 'a b', 'x'.repeat(65), 'é'])
      expect(APP_EVENT_NAME.test(name)).toBe(false);
  });
});
