import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule, EventFieldValue, VelosEvent } from '@velos/core';
import { waitFor } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertControl } from '../../src/alerts/alert-control.js';
import { MAX_ALERT_STATE_BYTES, ruleFingerprint } from '../../src/alerts/alert-state-store.js';
import type { SampledProcess } from '../../src/alerts/condition-tracker.js';
import { createEventBus, type EventBus } from '../../src/events/event-bus.js';
import { type EngineDaemon, daemonOn as kitDaemonOn, restartOn as kitRestartOn } from './alert-test-kit.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const STATE_FILE = 'alert-state.json';
const MB = 1024 ** 2;

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'velos-alert-state-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/** One daemon's alert engine on `home` (see alert-test-kit.ts). */
const daemonOn = (home: string, processes: SampledProcess[] = []): EngineDaemon =>
  kitDaemonOn(home, processes, cleanups);

/** What a daemon that starts again does: the saved state first, then `alerts.json`. */
const restartOn = (home: string, processes: SampledProcess[] = []): EngineDaemon =>
  kitRestartOn(home, processes, cleanups);

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

function savedState(home: string): { rules: Record<string, { alerts: { key: string }[] }> } {
  return JSON.parse(readFileSync(join(home, STATE_FILE), 'utf8'));
}

/** Any event makes the engine evaluate every rule at once. */
function nudge(bus: EventBus): void {
  bus.publish({ kind: 'process.online', severity: 'info', app: 'unrelated', message: 'nudge' });
}

const kinds = (alerts: VelosEvent[]) => alerts.map((e) => `${e.kind}:${e.fields?.rule}:${e.app ?? '*'}`);

describe('firing alerts across daemons (alert-state.json)', () => {
  it('a still-firing alert is not sent again by the next daemon; found false, it resolves once', () => {
    const home = tempHome();
    const api: SampledProcess = {
      id: 0,
      name: 'api',
      namespace: 'default',
      status: 'online',
      memory: 500 * MB,
      cpu: 0,
    };
    const first = daemonOn(home, [api]);
    first.engine.add(rule('mem', { kind: 'memory', aboveBytes: 100 * MB }));
    expect(kinds(first.alerts)).toEqual(['alert.firing:mem:api']);
    const since = first.engine.list()[0]!.since;
    expect(statSync(join(home, STATE_FILE)).mode & 0o777).toBe(0o600);
    expect(savedState(home).rules.mem!.alerts.map((a) => a.key)).toEqual(['api']);
    first.stop();

    // re-adopted, not sampled yet: its memory reads 0 but says nothing
    const processes: SampledProcess[] = [{ ...api, memory: 0, isMemoryKnown: false }];
    const next = restartOn(home, processes);
    expect(next.engine.list()[0]).toMatchObject({ phase: 'firing', since });
    expect(next.logs).toContain('alerts: rule mem: 1 firing alert(s) restored (api)');
    nudge(next.bus);
    processes[0] = { ...api, memory: 600 * MB, isMemoryKnown: true };
    nudge(next.bus);
    next.engine.endRestore();
    expect(next.alerts).toEqual([]);

    processes[0] = { ...api, memory: 50 * MB, isMemoryKnown: true };
    nudge(next.bus);
    nudge(next.bus);
    expect(kinds(next.alerts)).toEqual(['alert.resolved:mem:api']);
    expect(savedState(home).rules).toEqual({});
  });

  it('event, restart, job and daemon conditions hold until the new daemon can tell, then resolve once', async () => {
    const home = tempHome();
    const first = daemonOn(home);
    // windows long enough that a loaded machine cannot let one pass before the new daemon's first look
    // (at 150 ms, `exits` had resolved there under load)
    first.engine.add(rule('exits', { kind: 'event', kinds: ['exited'] }, { resolveAfterMs: 1000 }));
    first.engine.add(rule('storm', { kind: 'restarts', count: 2, windowMs: 1000 }));
    first.engine.add(rule('job', { kind: 'job_failed', count: 2 }));
    first.engine.add(rule('degraded', { kind: 'daemon_degraded' }, { resolveAfterMs: 1000 }));
    const publish = (kind: string, app?: string, fields?: Record<string, EventFieldValue>) =>
      first.bus.publish({
        kind,
        severity: 'warning',
        ...(app ? { app } : {}),
        message: kind,
        ...(fields ? { fields } : {}),
      });
    publish('process.exited', 'api');
    publish('process.restarting', 'api');
    publish('process.restarting', 'api');
    publish('job.finished', 'nightly', { outcome: 'failed' });
    publish('job.finished', 'nightly', { outcome: 'failed' });
    publish('daemon.degraded');
    expect(first.alerts.filter((e) => e.kind === 'alert.firing')).toHaveLength(4);
    first.stop();

    // the new daemon has the job (scheduled, waiting for its next run)
    const nightly = { id: 3, name: 'nightly', namespace: 'default', status: 'scheduled', memory: 0, cpu: 0 };
    const next = restartOn(home, [nightly]);
    next.engine.endRestore();
    expect(next.engine.list().map((s) => `${s.rule.name}:${s.phase}`)).toEqual([
      'exits:firing',
      'storm:firing',
      'job:firing',
      'degraded:firing',
    ]);
    const finished = (outcome: string) =>
      next.bus.publish({
        kind: 'job.finished',
        severity: 'info',
        app: 'nightly',
        message: outcome,
        fields: { outcome },
      });
    // the streak goes on: a third failure is no new alert, a success ends it
    finished('failed');
    expect(next.alerts).toEqual([]);
    finished('ok');
    expect(kinds(next.alerts)).toEqual(['alert.resolved:job:nightly']);
    await waitFor(() => next.alerts.length === 4, 'the other three to resolve', 5000);
    expect(kinds(next.alerts).sort()).toEqual([
      'alert.resolved:degraded:*',
      'alert.resolved:exits:api',
      'alert.resolved:job:nightly',
      'alert.resolved:storm:api',
    ]);
  });

  it('resolves a restored job failed alert once when the new daemon no longer has the job', () => {
    const home = tempHome();
    const first = daemonOn(home);
    first.engine.add(rule('job', { kind: 'job_failed', count: 1 }));
    first.bus.publish({
      kind: 'job.finished',
      severity: 'warning',
      app: 'nightly',
      message: 'nightly failed',
      fields: { outcome: 'failed' },
    });
    expect(kinds(first.alerts)).toEqual(['alert.firing:job:nightly']);
    first.stop();

    // deleted while the daemon was away (or not restored): no run of it can end the streak
    const next = restartOn(home, [
      { id: 1, name: 'api', namespace: 'default', status: 'online', memory: 0, cpu: 0 },
    ]);
    expect(next.engine.list()[0]!.phase).toBe('firing');
    next.engine.endRestore();
    expect(kinds(next.alerts)).toEqual(['alert.resolved:job:nightly']);
    expect(next.engine.list()[0]!.phase).toBe('resolved');
    expect(savedState(home).rules).toEqual({});
  });

  it("keeps each rule's last delivery, ok or failed, for the next daemon's velos alerts", async () => {
    const home = tempHome();
    const first = daemonOn(home);
    const command = (code: number): AlertRule['channels'][number] => ({
      type: 'command',
      command: ['/bin/sh', '-c', `exit ${code}`],
      timeoutMs: 10_000,
    });
    first.engine.add(rule('ok', { kind: 'daemon_degraded' }, { channels: [command(0)] }));
    first.engine.add(rule('bad', { kind: 'daemon_degraded' }, { channels: [command(3)] }));
    first.engine.add(rule('quiet', { kind: 'daemon_degraded' }));
    await first.engine.test('ok');
    await first.engine.test('bad');
    const delivered = first.engine.list().map((status) => [status.rule.name, status.lastDelivery]);
    expect(delivered).toMatchObject([
      ['ok', { isOk: true, attempts: 1 }],
      ['bad', { isOk: false, error: expect.stringContaining('3') }],
      ['quiet', null],
    ]);
    // no firing alert: the file holds the deliveries alone
    expect(Object.keys(savedState(home).rules).sort()).toEqual(['bad', 'ok']);
    first.stop();

    const next = restartOn(home);
    next.engine.endRestore();
    expect(next.engine.list().map((status) => [status.rule.name, status.lastDelivery])).toEqual(delivered);
    // no word of firing alerts restored or dropped: there were none
    expect(next.logs.filter((line) => /firing alert/.test(line))).toEqual([]);
  });

  it('a restored daemon_degraded alert stays firing when the new daemon is degraded too', async () => {
    const home = tempHome();
    const first = daemonOn(home);
    first.engine.add(rule('degraded', { kind: 'daemon_degraded' }, { resolveAfterMs: 100 }));
    first.bus.publish({ kind: 'daemon.degraded', severity: 'warning', message: 'disk full' });
    first.stop();
    const next = restartOn(home);
    next.bus.publish({ kind: 'daemon.degraded', severity: 'warning', message: 'disk still full' });
    const deadline = Date.now() + 300;
    await waitFor(() => Date.now() >= deadline, 'past resolve_after', 5000);
    nudge(next.bus);
    expect(next.alerts).toEqual([]);
    expect(next.engine.list()[0]!.phase).toBe('firing');
  });

  it('goes on with repeats and the escalation where they were', () => {
    const home = tempHome();
    const paged = rule(
      'paged',
      { kind: 'event', kinds: ['exited'] },
      { repeatMs: 60_000, escalation: { afterRepeats: 1, severity: 'critical', channels: [] } },
    );
    const now = Date.now();
    writeFileSync(
      join(home, STATE_FILE),
      JSON.stringify({
        version: 1,
        rules: {
          paged: {
            fingerprint: ruleFingerprint(paged),
            alerts: [
              {
                key: 'api',
                since: now - 300_000,
                activeSince: now - 300_000,
                lastSentAt: now - 90_000,
                repeats: 1,
                escalationLevel: 1,
                message: 'api exited',
              },
            ],
          },
        },
      }),
    );
    const next = daemonOn(home);
    next.engine.restoreState();
    next.engine.add(paged);
    // the repeat that fell due meanwhile is sent once, as the second repeat of an escalated alert
    expect(next.alerts.map((e) => [e.kind, e.severity, e.fields?.repeat, e.fields?.escalated])).toEqual([
      ['alert.firing', 'critical', 2, true],
    ]);
    nudge(next.bus);
    expect(next.alerts).toHaveLength(1);
  });

  it('a restored errored app fires a config.toml rule added while no daemon ran, not the rule that told of it already', () => {
    const home = tempHome();
    const old = (isStatusRestored: boolean): SampledProcess => ({
      id: 0,
      name: 'old',
      namespace: 'default',
      status: 'errored',
      ...(isStatusRestored ? { isStatusRestored } : {}),
      memory: 0,
      cpu: 0,
    });
    const errored = { kind: 'errored' } as const;
    const first = daemonOn(home, [old(false)]);
    first.engine.setRules('/home/config.toml', [rule('told', errored)], false);
    expect(kinds(first.alerts)).toEqual(['alert.firing:told:old']);
    first.stop();
    // config.toml got a second rule while no daemon ran; the next daemon restores old errored
    const next = daemonOn(home, [old(true)]);
    next.engine.restoreState();
    next.engine.setRules('/home/config.toml', [rule('told', errored), rule('added', errored)], false);
    next.engine.endRestore();
    nudge(next.bus);
    expect(kinds(next.alerts)).toEqual(['alert.firing:added:old']);
    expect(next.engine.list().map((s) => `${s.rule.name}:${s.phase}`)).toEqual([
      'told:firing',
      'added:firing',
    ]);
  });

  it('a rule changed or removed while the daemon was away leaves no state; config.toml rules take theirs by name', () => {
    const home = tempHome();
    const first = daemonOn(home);
    const when = { kind: 'daemon_degraded' } as const;
    first.engine.add(rule('keep', when));
    first.engine.add(rule('edited', when));
    first.engine.add(rule('gone', when));
    first.engine.setRules('/home/config.toml', [rule('cfg', when)], false);
    first.bus.publish({ kind: 'daemon.degraded', severity: 'warning', message: 'lag' });
    expect(Object.keys(savedState(home).rules).sort()).toEqual(['cfg', 'edited', 'gone', 'keep']);
    first.stop();

    const alertsFile = join(home, 'alerts.json');
    const doc = JSON.parse(readFileSync(alertsFile, 'utf8')) as { rules: AlertRule[] };
    doc.rules = doc.rules
      .filter((r) => r.name !== 'gone')
      .map((r) => (r.name === 'edited' ? { ...r, severity: 'error' } : r));
    writeFileSync(alertsFile, JSON.stringify(doc));

    const next = restartOn(home);
    expect(next.logs).toContain(
      'alerts: rule edited changed while the daemon was away; its firing alerts (*) start afresh',
    );
    next.engine.setRules('/home/config.toml', [rule('cfg', when)], false);
    next.engine.endRestore();
    expect(next.logs).toContain('alerts: dropped the firing alerts of gone: no such rule any more');
    expect(next.engine.list().map((s) => `${s.rule.name}:${s.phase}`)).toEqual([
      'keep:firing',
      'edited:ok',
      'cfg:firing',
    ]);
    expect(Object.keys(savedState(home).rules).sort()).toEqual(['cfg', 'keep']);
    // the same rule added again later is a new rule
    next.engine.add(rule('gone', when));
    expect(next.engine.list().find((s) => s.rule.name === 'gone')!.phase).toBe('ok');
    expect(next.alerts).toEqual([]);
  });

  it('writes the file only when the firing alerts change', () => {
    const home = tempHome();
    const daemon = daemonOn(home);
    daemon.engine.add(rule('exits', { kind: 'event', kinds: ['exited'] }));
    // written once with no alert: a missing file then means a daemon of a version without it
    expect(savedState(home).rules).toEqual({});
    const empty = statSync(join(home, STATE_FILE)).ino;
    nudge(daemon.bus);
    expect(statSync(join(home, STATE_FILE)).ino).toBe(empty);
    daemon.bus.publish({ kind: 'process.exited', severity: 'warning', app: 'api', message: 'exited' });
    const written = statSync(join(home, STATE_FILE)).ino;
    expect(written).not.toBe(empty);
    daemon.bus.publish({ kind: 'process.exited', severity: 'warning', app: 'api', message: 'exited' });
    nudge(daemon.bus);
    daemon.engine.add(rule('other', { kind: 'daemon_degraded' }));
    expect(statSync(join(home, STATE_FILE)).ino).toBe(written);
    daemon.engine.remove('exits');
    expect(savedState(home).rules).toEqual({});
  });

  it('a pending alert goes on waiting for `for` under the next daemon, or drops when no longer true', async () => {
    const home = tempHome();
    const api: SampledProcess = {
      id: 0,
      name: 'api',
      namespace: 'default',
      status: 'online',
      memory: 500 * MB,
      cpu: 0,
    };
    const forMs = 400;
    const first = daemonOn(home, [api]);
    first.engine.add(rule('mem', { kind: 'memory', aboveBytes: 100 * MB }, { forMs }));
    expect(first.engine.list()[0]).toMatchObject({ phase: 'pending' });
    const activeSince = (savedState(home).rules.mem!.alerts[0] as { activeSince?: number }).activeSince!;
    expect(savedState(home).rules.mem!.alerts[0]).toMatchObject({ key: 'api', phase: 'pending' });
    expect(statSync(join(home, STATE_FILE)).mode & 0o777).toBe(0o600);
    first.stop();

    const processes: SampledProcess[] = [{ ...api, memory: 0, isMemoryKnown: false }];
    const next = restartOn(home, processes);
    next.engine.endRestore();
    expect(next.engine.list()[0]).toMatchObject({ phase: 'pending' });
    processes[0] = { ...api, memory: 600 * MB, isMemoryKnown: true };
    await waitFor(() => next.alerts.length > 0, 'the pending alert to fire', 5000);
    // it fired `for` after the condition began under the first daemon, not `for` after the restart
    expect(kinds(next.alerts)).toEqual(['alert.firing:mem:api']);
    expect(next.alerts[0]!.at - activeSince).toBeLessThan(forMs * 2);
    next.stop();

    // pending again, then found false by the next daemon's first reading: it drops, and so does the file
    const home2 = tempHome();
    const third = daemonOn(home2, [api]);
    third.engine.add(rule('mem', { kind: 'memory', aboveBytes: 100 * MB }, { forMs: 60_000 }));
    third.stop();
    const fourth = restartOn(home2, [{ ...api, memory: 50 * MB }]);
    fourth.engine.endRestore();
    expect(fourth.engine.list()[0]).toMatchObject({ phase: 'ok' });
    expect(savedState(home2).rules).toEqual({});
    expect(fourth.alerts).toEqual([]);
  });

  it('after an update from a version without the file, the event log tells what was firing', () => {
    const home = tempHome();
    const api: SampledProcess = {
      id: 0,
      name: 'api',
      namespace: 'default',
      status: 'online',
      memory: 500 * MB,
      cpu: 0,
    };
    const worker: SampledProcess = { ...api, id: 1, name: 'worker' };
    const processes = [api, worker];
    const old = daemonOn(home, processes);
    old.engine.add(rule('mem', { kind: 'memory', aboveBytes: 100 * MB }));
    processes[1] = { ...worker, memory: 50 * MB };
    nudge(old.bus);
    expect(kinds(old.alerts)).toEqual([
      'alert.firing:mem:api',
      'alert.firing:mem:worker',
      'alert.resolved:mem:worker',
    ]);
    const since = old.engine.list()[0]!.since;
    old.stop();
    // what a daemon of a version that kept no alert-state.json leaves behind
    rmSync(join(home, STATE_FILE));

    const next = restartOn(home, [api, { ...worker, memory: 600 * MB }]);
    next.engine.endRestore();
    expect(next.logs).toContain(
      'alerts: no alert-state.json; 1 firing alert(s) read back from the event log',
    );
    expect(next.engine.list()[0]).toMatchObject({ phase: 'firing', since });
    // api goes on firing unsent; worker, resolved under the old daemon, fires as new
    expect(kinds(next.alerts)).toEqual(['alert.firing:mem:worker']);
    expect(savedState(home).rules.mem!.alerts.map((a) => a.key)).toEqual(['api', 'worker']);
  });

  it('ignores an unusable file with a daemon.log line and replaces it', () => {
    for (const garbage of [
      '{"version": 1, "rules": {"r": {"fingerprint": 5}}',
      'x'.repeat(MAX_ALERT_STATE_BYTES + 1),
    ]) {
      const home = tempHome();
      writeFileSync(join(home, STATE_FILE), garbage);
      const daemon = daemonOn(home);
      daemon.engine.restoreState();
      daemon.engine.add(rule('r', { kind: 'daemon_degraded' }));
      daemon.engine.endRestore();
      expect(daemon.logs.find((line) => line.includes(`${STATE_FILE} is unusable`))).toMatch(
        /firing alerts start afresh/,
      );
      expect(savedState(home)).toEqual({ version: 1, rules: {} });
    }
  });
});

describe('the restore of firing alerts at the daemon start (alert control)', () => {
  function controlOn(home: string, logs: string[] = []) {
    const bus = createEventBus({ path: join(home, 'events.jsonl') });
    const control = createAlertControl({
      home,
      bus,
      processes: () => [],
      matchesTarget: () => true,
      log: (line) => logs.push(line),
    });
    cleanups.push(() => {
      control.close();
      bus.close();
    });
    return { control, bus };
  }

  it('config.toml rules set during the start take their alerts; with no rule at all the file goes', async () => {
    const home = tempHome();
    const cfg = rule('cfg', { kind: 'daemon_degraded' }, { source: join(home, 'config.toml') });
    const first = controlOn(home);
    await first.control.restore();
    await first.control.setRulesFromSource(cfg.source, [cfg], { isPersistent: false });
    first.bus.publish({ kind: 'daemon.degraded', severity: 'warning', message: 'lag' });
    await first.control.endRestore();
    first.control.close();
    expect(Object.keys(savedState(home).rules)).toEqual(['cfg']);

    const next = controlOn(home);
    await next.control.restore();
    // as the daemon's config.toml reader does: not awaited
    void next.control.setRulesFromSource(cfg.source, [cfg], { isPersistent: false });
    await next.control.endRestore();
    expect((await next.control.alerts()).map((s) => `${s.rule.name}:${s.phase}`)).toEqual(['cfg:firing']);
    next.control.close();

    // config.toml lost its rules meanwhile: nothing loads the engine, the saved alerts are dropped
    rmSync(join(home, 'alerts.json'));
    const last = controlOn(home);
    await last.control.restore();
    await last.control.endRestore();
    expect(existsSync(join(home, STATE_FILE))).toBe(false);
  });
});
