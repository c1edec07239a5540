import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule, VelosEvent } from '@velos/core';
import { waitFor } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertEngine, createAlertEngine } from '../../src/alerts/alert-engine.js';
import type { SampledProcess } from '../../src/alerts/condition-tracker.js';
import { createEventBus, type EventBus } from '../../src/events/event-bus.js';
import { holdingServer as kitHoldingServer, onJsonBody } from './alert-test-kit.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A real local HTTP server: `/fail…` paths answer 500, every other path 200. */
async function hookServer(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(req.url?.startsWith('/fail') ? 500 : 200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A real local HTTP server that records the JSON body of every POST (answers 200). */
async function recordingServer(): Promise<{ url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    onJsonBody(req, (body) => {
      bodies.push(body as Record<string, unknown>);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

function webhook(url: string): AlertRule['channels'][number] {
  return { type: 'webhook', url, timeoutMs: 2000, retries: 0, backoffMs: 10 };
}

function setup(
  processes: SampledProcess[] = [],
  log: (line: string) => void = () => undefined,
): {
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
    log,
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

  it("dates a rule's state by its alerts in that state: firing since the earliest firing, resolved since the latest resolve", async () => {
    const { engine, bus } = setup();
    engine.add(rule('exits', { kind: 'event', kinds: ['exited'] }, { resolveAfterMs: 150 }));
    const exited = (app: string) =>
      bus.publish({ kind: 'process.exited', severity: 'warning', app, message: `${app} exited` });
    const status = () => engine.list()[0]!;
    const sinceOf = (app: string) => status().instances.find((i) => i.key === app)!.since;
    const laterMs = async () => {
      const now = Date.now();
      await waitFor(() => Date.now() > now, 'the clock to move', 1000);
    };
    exited('a');
    await waitFor(() => status().phase === 'resolved', 'a to resolve', 5000);
    await laterMs();
    exited('b');
    await waitFor(() => status().phase === 'resolved', 'b to resolve', 5000);
    // the rule fired until b resolved: a's older resolve is not when it stopped firing
    expect(status().since).toBe(sinceOf('b'));
    expect(sinceOf('b')).toBeGreaterThan(sinceOf('a'));
    exited('b');
    await laterMs();
    exited('a');
    expect(status().phase).toBe('firing');
    // firing since b fired, not since a (listed first) fired after it
    expect(status().since).toBe(sinceOf('b'));
    expect(sinceOf('a')).toBeGreaterThan(sinceOf('b'));
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

  it('counts failed job runs in a row; a stopped run neither counts nor breaks the streak', () => {
    const { engine, bus, alerts } = setup();
    engine.add(rule('job', { kind: 'job_failed', count: 2 }));
    const finished = (app: string, outcome: string) =>
      bus.publish({
        kind: 'job.finished',
        severity: outcome === 'failed' ? 'error' : 'info',
        app,
        message: `job ${app}: run ${outcome}`,
        fields: { outcome },
      });
    // stopped by velos stop/kill twice: no failure at all
    finished('nightly', 'stopped');
    finished('nightly', 'stopped');
    finished('backup', 'failed');
    finished('backup', 'stopped');
    expect(alerts).toEqual([]);
    finished('backup', 'failed');
    expect(alerts.map((e) => [e.kind, e.app])).toEqual([['alert.firing', 'backup']]);
    expect(alerts[0]!.message).toContain('backup failed 2 time(s) in a row');
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

  /** Process 0, `old`, errored as a daemon restart found it (its status restored, not seen failing). */
  const restoredErrored = (): SampledProcess => ({
    id: 0,
    name: 'old',
    namespace: 'default',
    status: 'errored',
    isStatusRestored: true,
    memory: 0,
    cpu: 0,
  });

  it('fires errored for a process whose errored status a restore brought back under a rule of the start with no alert saved for it (never told of it)', () => {
    const processes: SampledProcess[] = [
      restoredErrored(),
      { id: 1, name: 'new', namespace: 'default', status: 'errored', memory: 0, cpu: 0 },
    ];
    const { engine, alerts } = setup(processes);
    // a rule of the start (config.toml) the previous daemon did not have: no alert-state.json entry
    engine.restoreState();
    engine.add(rule('errored', { kind: 'errored' }));
    engine.endRestore();
    expect(alerts.map((e) => `${e.kind}:${e.app}`)).toEqual(['alert.firing:old', 'alert.firing:new']);
  });

  it('fires a rule added after the restore for a process whose errored status the restore brought back (no rule told of it)', () => {
    const processes: SampledProcess[] = [restoredErrored()];
    const { engine, alerts } = setup(processes);
    engine.restoreState();
    engine.endRestore();
    expect(alerts).toEqual([]);
    engine.add(rule('added', { kind: 'errored' }));
    expect(alerts.map((e) => `${e.kind}:${e.fields?.rule}:${e.app}`)).toEqual(['alert.firing:added:old']);
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

  it('names the rules after an unknown name, the first 10 and how many more', async () => {
    const { engine } = setup();
    expect(() => engine.remove('nope')).toThrow("no alert rule is called 'nope' (there are no rules)");
    for (let i = 1; i <= 17; i += 1) engine.add(rule(`r${i}`, { kind: 'daemon_degraded' }));
    expect(() => engine.remove('nope')).toThrow(
      "no alert rule is called 'nope' (rules: r1, r2, r3, r4, r5, r6, r7, r8, r9, r10 and 7 more; velos alerts lists them all)",
    );
    await expect(engine.test('nope')).rejects.toThrow(/r10 and 7 more/);
  });

  it('counts delivery health per full channel: two webhooks on one host never mask each other, removing a rule forgets its failures', async () => {
    const { engine } = setup();
    const base = await hookServer();
    const when = { kind: 'daemon_degraded' } as const;
    engine.add(rule('r1', when, { channels: [webhook(`${base}/hook`)] }));
    engine.add(rule('failing', when, { channels: [webhook(`${base}/fail`)] }));
    for (let i = 0; i < 3; i += 1) expect((await engine.test('failing'))[0]!.isOk).toBe(false);
    // degraded, never unhealthy: a receiver that is down is no sick daemon (a container check would
    // restart every app, a load balancer drop the host)
    expect(engine.deliveryHealth()).toEqual({
      status: 'degraded',
      reason: `webhook ${base}/…: 3 failed deliveries in a row (HTTP 500)`,
    });
    // the other webhook of the same host works: that says nothing of /fail
    expect((await engine.test('r1'))[0]!.isOk).toBe(true);
    expect(engine.deliveryHealth()).toEqual({
      status: 'degraded',
      reason: `webhook ${base}/…: 3 failed deliveries in a row (HTTP 500)`,
    });
    engine.remove('failing');
    expect(engine.deliveryHealth()).toEqual({ status: 'healthy' });

    // the same through a reload of a config source, and a rule replaced by one with another channel
    engine.setRules('/srv/app.toml', [rule('cfg', when, { channels: [webhook(`${base}/fail-cfg`)] })]);
    await engine.test('cfg');
    expect(engine.deliveryHealth().status).toBe('degraded');
    engine.setRules('/srv/app.toml', [rule('cfg', when, { channels: [webhook(`${base}/ok-cfg`)] })]);
    expect(engine.deliveryHealth()).toEqual({ status: 'healthy' });
    await engine.test('cfg');
    engine.setRules('/srv/app.toml', []);
    expect(engine.deliveryHealth()).toEqual({ status: 'healthy' });
  });

  it('tells command channels apart by their whole argv, and ignores a delivery that ends after its rule is gone', async () => {
    const { engine } = setup();
    const when = { kind: 'daemon_degraded' } as const;
    const node = (code: string): AlertRule['channels'][number] => ({
      type: 'command',
      command: [process.execPath, '-e', code],
      timeoutMs: 5000,
    });
    engine.add(rule('bad', when, { channels: [node('process.exit(2)')] }));
    engine.add(rule('good', when, { channels: [node('process.exit(0)')] }));
    await engine.test('bad');
    await engine.test('good');
    expect(engine.deliveryHealth()).toMatchObject({ status: 'degraded' });
    expect(engine.deliveryHealth().reason).toMatch(
      /^command .*node.*: 1 failed delivery in a row \(exit code 2/,
    );
    const late = engine.test('bad');
    engine.remove('bad');
    await late;
    expect(engine.deliveryHealth()).toEqual({ status: 'healthy' });
  });
  it("sends the resolved notification with the severity of what resolved (the escalation's once escalated); the event log says info", async () => {
    const { engine, bus, alerts } = setup();
    const hook = await recordingServer();
    const when = { kind: 'daemon_degraded' } as const;
    engine.add(
      rule('paged', when, {
        severity: 'error',
        channels: [webhook(`${hook.url}/paged`)],
        escalation: { afterMs: 1, severity: 'critical', channels: [] },
      }),
    );
    engine.add(rule('plain', when, { severity: 'error', channels: [webhook(`${hook.url}/plain`)] }));
    bus.publish({ kind: 'daemon.degraded', severity: 'warning', message: 'event loop lag 900 ms' });
    await waitFor(() => engine.list()[0]!.instances[0]?.escalationLevel === 1, 'the escalation', 5000);
    bus.publish({ kind: 'daemon.recovered', severity: 'info', message: 'ok' });
    await waitFor(
      () => hook.bodies.filter((b) => b.status === 'resolved').length === 2,
      'two resolved',
      5000,
    );
    const resolved = (name: string) => hook.bodies.find((b) => b.status === 'resolved' && b.rule === name)!;
    expect(resolved('paged')).toMatchObject({ severity: 'critical', escalated: true });
    expect(String(resolved('paged').text)).toMatch(/^\[RESOLVED\] paged \(critical\) resolved after/);
    expect(resolved('plain')).toMatchObject({ severity: 'error', escalated: false });
    expect(alerts.filter((e) => e.kind === 'alert.resolved').map((e) => e.severity)).toEqual([
      'info',
      'info',
    ]);
  });
});

/** A receiver that holds what `isHeld` picks until `release()` (alert-test-kit.ts). */
const holdingServer = (isHeld: (body: { status: string }) => boolean) => kitHoldingServer(isHeld, cleanups);

describe('alert delivery while a receiver is down', () => {
  it('keeps at most 100 notifications of a rule waiting: the oldest waiting are dropped, daemon.log says so', async () => {
    const receiver = await holdingServer(() => true);
    const lines: string[] = [];
    const { engine, bus, alerts } = setup([], (line) => lines.push(line));
    const channel = { ...webhook(receiver.url), timeoutMs: 60_000 };
    engine.add(rule('storm', { kind: 'event', kinds: ['app.crashed'] }, { channels: [channel] }));
    // 150 apps at once: one alert each; the first is sent (and held), 149 wait, 49 of them are dropped
    for (let i = 0; i < 150; i += 1)
      bus.publish({ kind: 'app.crashed', severity: 'error', app: `app-${i}`, message: 'crashed' });
    expect(alerts.filter((event) => event.kind === 'alert.firing')).toHaveLength(150);
    await waitFor(() => receiver.held.length === 1, 'the first notification at the receiver', 5000);
    expect(lines).toEqual([
      'alert storm: its channels are behind (100 notifications waiting): the oldest waiting are dropped until they catch up',
    ]);
    receiver.release();
    await waitFor(() => lines.length === 2, 'the caught-up line', 10_000);
    expect(lines[1]).toBe('alert storm: its channels caught up; 49 notification(s) were dropped unsent');
    // in order, the newest kept: app-0 (in flight), then app-50 … app-149
    expect(receiver.bodies.map((body) => body.app)).toEqual([
      'app-0',
      ...Array.from({ length: 100 }, (_, i) => `app-${i + 50}`),
    ]);
    expect(engine.list()[0]!.lastDelivery).toMatchObject({ isOk: true });
  });

  it('sends a test at once, not behind the firing notifications that wait for a hanging receiver', async () => {
    const receiver = await holdingServer((body) => body.status !== 'test');
    const { engine, bus } = setup();
    const channel = { ...webhook(receiver.url), timeoutMs: 60_000 };
    engine.add(rule('hung', { kind: 'event', kinds: ['app.crashed'] }, { channels: [channel] }));
    for (const app of ['a', 'b']) bus.publish({ kind: 'app.crashed', severity: 'error', app, message: 'x' });
    await waitFor(() => receiver.held.length === 1, 'the first notification at the receiver', 5000);
    const tested = await Promise.race([
      engine.test('hung'),
      new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 10_000).unref()),
    ]);
    expect(tested).toMatchObject([{ isOk: true, attempts: 1 }]);
    expect(receiver.bodies.map((body) => body.status)).toEqual(['firing', 'test']);
  });
  it('drops what waits for the channels of a rule that is removed or changed (the receiver is down: no retries for an hour)', async () => {
    const receiver = await holdingServer(() => true);
    const lines: string[] = [];
    const { engine, bus } = setup([], (line) => lines.push(line));
    const channel = {
      type: 'webhook' as const,
      url: receiver.url,
      timeoutMs: 60_000,
      retries: 0,
      backoffMs: 10,
    };
    const storm = rule('storm', { kind: 'event', kinds: ['app.crashed'] }, { channels: [channel] });
    engine.setRules('/srv/app.toml', [storm]);
    for (const app of ['a', 'b', 'c'])
      bus.publish({ kind: 'app.crashed', severity: 'error', app, message: 'x' });
    await waitFor(() => receiver.held.length === 1, 'the first notification at the receiver', 5000);
    // the file is fixed (another URL) and started again: the old URL's two waiting are not sent
    engine.setRules('/srv/app.toml', [{ ...storm, channels: [{ ...channel, url: `${receiver.url}/new` }] }]);
    expect(lines).toEqual(['alert storm: removed or changed: 2 waiting notification(s) dropped unsent']);
    for (const app of ['d', 'e']) bus.publish({ kind: 'app.crashed', severity: 'error', app, message: 'x' });
    engine.remove('storm');
    expect(lines[1]).toBe('alert storm: removed or changed: 1 waiting notification(s) dropped unsent');
    // a backlog past 100, then removed: one line for all of it, no "caught up" once the one sent ends
    engine.add(rule('flood', { kind: 'event', kinds: ['app.crashed'] }, { channels: [channel] }));
    for (let i = 0; i < 110; i += 1)
      bus.publish({ kind: 'app.crashed', severity: 'error', app: `f-${i}`, message: 'x' });
    engine.remove('flood');
    expect(lines.slice(2)).toEqual([
      'alert flood: its channels are behind (100 notifications waiting): the oldest waiting are dropped until they catch up',
      'alert flood: removed or changed: 109 waiting notification(s) dropped unsent',
    ]);
    receiver.release();
    await waitFor(() => receiver.bodies.length === 3, 'the notifications sent before the removals', 5000);
    expect(receiver.bodies.map((body) => body.app)).toEqual(['a', 'd', 'f-0']);
  });
});
