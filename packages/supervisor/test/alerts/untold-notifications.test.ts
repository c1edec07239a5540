import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertRule } from '@velos/core';
import { waitFor } from '@velos/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import type { SampledProcess } from '../../src/alerts/condition-tracker.js';
import { markUntold, type UntoldByKey, untoldStatusOf } from '../../src/alerts/untold-notifications.js';
import type { EventBus } from '../../src/events/event-bus.js';
import { holdingServer, daemonOn as kitDaemonOn, restartOn as kitRestartOn } from './alert-test-kit.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const MB = 1024 ** 2;

describe('untold notifications', () => {
  it('counts a notification until it is settled, once', () => {
    const untold: UntoldByKey = new Map();
    const first = markUntold(untold, 'api', 'firing', 0);
    const repeat = markUntold(untold, 'api', 'firing', 1);
    expect(untoldStatusOf(untold.get('api'), 'firing')).toBe('firing');
    first();
    first();
    expect(untold.get('api')).toEqual({ firing: 1, firstFiring: 0, resolved: 0 });
    const resolve = markUntold(untold, 'api', 'resolved', 1);
    // resolved now: its resolve is untold, and its firing was told (only a repeat waits)
    expect(untoldStatusOf(untold.get('api'), 'resolved')).toBe('resolved');
    repeat();
    resolve();
    expect(untold.has('api')).toBe(false);
    expect(untoldStatusOf(undefined, 'firing')).toBeNull();
  });

  it('tells no resolve of an alert whose first firing was not sent either', () => {
    const untold: UntoldByKey = new Map();
    markUntold(untold, 'api', 'firing', 0);
    markUntold(untold, 'api', 'resolved', 0);
    expect(untoldStatusOf(untold.get('api'), 'resolved')).toBeNull();
    expect(untoldStatusOf(untold.get('api'), 'pending')).toBeNull();
  });
});

const receiver = (isHeld: (body: { status: string }) => boolean) => holdingServer(isHeld, cleanups);

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'velos-untold-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

const daemonOn = (home: string, processes: SampledProcess[]) => kitDaemonOn(home, processes, cleanups);
const restartOn = (home: string, processes: SampledProcess[]) => kitRestartOn(home, processes, cleanups);

function memRule(url: string): AlertRule {
  return {
    name: 'mem',
    when: { kind: 'memory', aboveBytes: 100 * MB },
    severity: 'warning',
    forMs: 0,
    resolveAfterMs: 60_000,
    channels: [{ type: 'webhook', url, timeoutMs: 60_000, retries: 0, backoffMs: 10 }],
    source: 'runtime',
  };
}

const api = (memory: number): SampledProcess => ({
  id: 0,
  name: 'api',
  namespace: 'default',
  status: 'online',
  memory,
  cpu: 0,
});

function savedAlerts(home: string): Record<string, unknown>[] {
  const doc = JSON.parse(readFileSync(join(home, 'alert-state.json'), 'utf8'));
  return doc.rules.mem?.alerts ?? [];
}

/** Any event makes the engine evaluate every rule at once. */
function nudge(bus: EventBus): void {
  bus.publish({ kind: 'process.online', severity: 'info', app: 'unrelated', message: 'nudge' });
}

describe('notifications a stopped daemon had not sent', () => {
  it('the next daemon sends a firing whose notification was still being sent, once, as it was', async () => {
    const home = tempHome();
    const hook = await receiver(() => true);
    const first = daemonOn(home, [api(500 * MB)]);
    first.engine.add(memRule(hook.url));
    await waitFor(() => hook.held.length === 1, 'the firing at the receiver', 5000);
    expect(savedAlerts(home)).toMatchObject([{ key: 'api', untold: true }]);
    first.stop();
    hook.release();

    const next = restartOn(home, [api(500 * MB)]);
    await waitFor(() => hook.bodies.length === 2, 'the firing sent again', 5000);
    const [lost, again] = hook.bodies;
    expect(again).toEqual({ ...lost, host: again!.host });
    expect(again).toMatchObject({ status: 'firing', app: 'api', repeat: 0 });
    expect(next.logs).toContain(
      'alerts: rule mem: 1 notification(s) the previous daemon had not sent go out now (api firing)',
    );
    // told now: a third daemon has nothing to send
    await waitFor(() => savedAlerts(home)[0]?.untold === undefined, 'the alert saved as told', 5000);
    expect(savedAlerts(home)).toMatchObject([{ key: 'api' }]);
    nudge(next.bus);
    expect(hook.bodies).toHaveLength(2);
  });

  it('the next daemon sends a resolve that was still waiting, and shows the alert resolved', async () => {
    const home = tempHome();
    const hook = await receiver((body) => body.status === 'resolved');
    const processes = [api(500 * MB)];
    const first = daemonOn(home, processes);
    first.engine.add(memRule(hook.url));
    await waitFor(() => first.engine.list()[0]!.lastDelivery?.isOk === true, 'the firing told', 5000);
    processes[0] = api(10 * MB);
    nudge(first.bus);
    await waitFor(() => hook.held.length === 1, 'the resolve at the receiver', 5000);
    expect(savedAlerts(home)).toMatchObject([{ key: 'api', phase: 'resolved', untold: true }]);
    first.stop();
    hook.release();

    const next = restartOn(home, [api(10 * MB)]);
    next.engine.endRestore();
    await waitFor(() => hook.bodies.length === 3, 'the resolve sent again', 5000);
    expect(hook.bodies.map((body) => body.status)).toEqual(['firing', 'resolved', 'resolved']);
    expect(hook.bodies[2]).toEqual({ ...hook.bodies[1], host: hook.bodies[2]!.host });
    expect(String(hook.bodies[2]!.message)).toMatch(/^resolved after .* \(was: /);
    expect(next.engine.list()[0]).toMatchObject({ phase: 'resolved', instances: [{ key: 'api' }] });
    await waitFor(() => savedAlerts(home).length === 0, 'nothing left to tell', 5000);
  });

  it('sends nothing for an alert that fired and resolved while its first firing was never sent', async () => {
    const home = tempHome();
    const hook = await receiver(() => true);
    const processes = [api(500 * MB)];
    const first = daemonOn(home, processes);
    first.engine.add(memRule(hook.url));
    await waitFor(() => hook.held.length === 1, 'the firing at the receiver', 5000);
    processes[0] = api(10 * MB);
    nudge(first.bus);
    expect(first.engine.list()[0]!.phase).toBe('resolved');
    expect(savedAlerts(home)).toEqual([]);
    first.stop();

    const next = restartOn(home, [api(10 * MB)]);
    next.engine.endRestore();
    expect(next.logs.filter((line) => line.includes('go out now'))).toEqual([]);
    expect(next.engine.list()[0]!.phase).toBe('ok');
  });
});
