import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule, VelosEvent } from '@velos/core';
import { waitFor } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertEngine, createAlertEngine } from '../../src/alerts/alert-engine.js';
import type { SampledProcess } from '../../src/alerts/condition-tracker.js';
import { createEventBus, type EventBus } from '../../src/events/event-bus.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup(processes: SampledProcess[] = []): {
  engine: AlertEngine;
  bus: EventBus;
  home: string;
  alerts: VelosEvent[];
} {
  const home = mkdtempSync(join(tmpdir(), 'velos-alerts-'));
  const bus = createEventBus({ path: join(home, 'events.jsonl') });
  const alerts: VelosEvent[] = [];
  bus.published.subscribe((event) => {
    if (event.kind.startsWith('alert.')) alerts.push(event);
  });
  const engine = createAlertEngine({
    home,
    bus,
    processes: () => processes,
    matchesTarget: (target, app) => app === target || (app?.startsWith('web-') === true && target === 'web'),
    log: () => undefined,
  });
  cleanups.push(() => {
    engine.close();
    bus.close();
    rmSync(home, { recursive: true, force: true });
  });
  return { engine, bus, home, alerts };
}

function rule(name: string, when: AlertRule['when'], extra: Partial<AlertRule> = {}): AlertRule {
  return {
    name,
    when,
    severity: 'warning',
    forMs: 0,
    resolveAfterMs: 60_000,
    channels: [],
    source: 'runtime',
    ...extra,
  };
}

describe('the alert engine', () => {
  it('fires on log anomalies per app and resolves after resolve_after without one', async () => {
    const { engine, bus, alerts } = setup();
    engine.add(rule('anomalies', { kind: 'log', signal: 'anomaly' }, { resolveAfterMs: 100 }));
    bus.publish({ kind: 'log.error_burst', severity: 'warning', app: 'api', message: 'burst' });
    expect(alerts).toEqual([]);
    bus.publish({ kind: 'log.anomaly', severity: 'warning', app: 'api', message: 'new error template' });
    expect(alerts[0]).toMatchObject({ kind: 'alert.firing', app: 'api', fields: { rule: 'anomalies' } });
    expect(alerts[0]!.message).toBe('[FIRING] anomalies (warning) api: new error template');
    await waitFor(() => alerts.find((e) => e.kind === 'alert.resolved'), 'an alert.resolved', 5000);
    expect(engine.list()[0]!.phase).toBe('resolved');
  });

  it('follows daemon degraded and recovered, and an app target by namespace', () => {
    const { engine, bus, alerts } = setup();
    engine.add(rule('daemon', { kind: 'daemon_degraded' }));
    engine.add(rule('web-exits', { kind: 'event', kinds: ['exited'] }, { app: 'web' }));
    bus.publish({ kind: 'daemon.degraded', severity: 'warning', message: 'event loop lag 900 ms' });
    bus.publish({ kind: 'process.exited', severity: 'warning', app: 'db', message: 'db exited' });
    bus.publish({ kind: 'process.exited', severity: 'warning', app: 'web-1', message: 'web-1 exited' });
    bus.publish({ kind: 'daemon.recovered', severity: 'info', message: 'ok' });
    expect(alerts.map((e) => [e.kind, e.app ?? '*', e.fields?.rule])).toEqual([
      ['alert.firing', '*', 'daemon'],
      ['alert.firing', 'web-1', 'web-exits'],
      ['alert.resolved', '*', 'daemon'],
    ]);
  });

  it('a watchdog restart is "no output"; an alert rule on alert events does not feed on itself', () => {
    const { engine, bus, alerts } = setup();
    engine.add(rule('silent', { kind: 'no_output' }));
    engine.add(rule('alerts', { kind: 'event', kinds: ['alert'] }));
    bus.publish({
      kind: 'process.exited',
      severity: 'warning',
      app: 'w',
      message: 'quiet 60 s',
      fields: { reason: 'inactivity' },
    });
    expect(alerts.map((e) => e.fields?.rule)).toEqual(['silent', 'alerts']);
  });

  it('samples the process table for errored, unhealthy, memory and cpu, only while such a rule exists', async () => {
    const processes: SampledProcess[] = [
      { id: 0, name: 'api', namespace: 'default', status: 'errored', memory: 10, cpu: 0 },
      {
        id: 1,
        name: 'big',
        namespace: 'default',
        status: 'online',
        health: 'unhealthy',
        memory: 500 * 1024 ** 2,
        cpu: 150,
      },
    ];
    const { engine, alerts } = setup(processes);
    engine.add(rule('errored', { kind: 'errored' }));
    engine.add(rule('mem', { kind: 'memory', aboveBytes: 100 * 1024 ** 2 }));
    engine.add(rule('sick', { kind: 'unhealthy' }));
    // last: every add evaluates all rules, and one added before another could pass its 50 ms in between
    engine.add(rule('cpu', { kind: 'cpu', abovePercent: 90 }, { forMs: 50 }));
    expect(alerts.map((e) => `${e.fields?.rule}:${e.app}`).sort()).toEqual([
      'errored:api',
      'mem:big',
      'sick:big',
    ]);
    await waitFor(() => alerts.find((e) => e.fields?.rule === 'cpu'), 'the cpu alert', 5000);
    processes[0]!.status = 'online';
    await waitFor(
      () => alerts.find((e) => e.kind === 'alert.resolved' && e.fields?.rule === 'errored'),
      'the errored alert to resolve',
      3000,
    );
  });

  it('keeps run-time rules in alerts.json but not those of a non-persistent source, and keeps state when a source is set again unchanged', () => {
    const { engine, home, bus } = setup();
    engine.add(rule('a', { kind: 'daemon_degraded' }));
    engine.setRules('config.toml', [rule('b', { kind: 'errored' })], false);
    engine.setRules('/srv/app.toml', [rule('c', { kind: 'daemon_degraded' })]);
    const saved = JSON.parse(readFileSync(join(home, 'alerts.json'), 'utf8')) as { rules: AlertRule[] };
    expect(saved.rules.map((r) => `${r.name}@${r.source}`)).toEqual(['a@runtime', 'c@/srv/app.toml']);
    bus.publish({ kind: 'daemon.degraded', severity: 'warning', message: 'lag' });
    engine.setRules('/srv/app.toml', [rule('c', { kind: 'daemon_degraded' }, { source: '/srv/app.toml' })]);
    expect(engine.list().find((s) => s.rule.name === 'c')!.phase).toBe('firing');
    expect(() => engine.setRules('/other.toml', [rule('a', { kind: 'errored' })])).toThrow(
      "/other.toml: alert rule 'a' exists already (from runtime); rename one of them",
    );
    expect(engine.list().map((s) => s.rule.name)).toEqual(['a', 'b', 'c']);
    engine.setRules('/srv/app.toml', []);
    expect(engine.list().map((s) => s.rule.name)).toEqual(['a', 'b']);
    expect(existsSync(join(home, 'alerts.json'))).toBe(true);
  });
});
