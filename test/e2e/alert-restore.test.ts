import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_ALERT_SOURCE } from '@velos/core';
import { parseAlertRules } from '@velos/core/config';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertReceiver, startReceiver } from './alert-receiver.js';
import {
  cleanupHomes,
  createHome,
  isAlive,
  listState,
  readPidFile,
  SeenProcesses,
  velosOk,
  waitFor,
  waitForLiveTable,
  withClient,
} from './helpers.js';

const receivers: AlertReceiver[] = [];
/** Pids of supervised children a test saw, killed by pid in teardown whatever happened. */
const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/** SIGKILLs the daemon of a home by the pid in velos.pid and waits until it is gone. */
async function killDaemon(home: string): Promise<void> {
  const pid = readPidFile(home);
  expect(pid).not.toBeNull();
  process.kill(pid!, 'SIGKILL');
  await waitFor(() => !isAlive(pid), { message: 'the SIGKILLed daemon to be gone' });
}

/**
 * The `alert.*` events of `rule` in the event log (every daemon's), oldest first: what
 * `velos events --kind alert --json --limit 10000` prints, read over the daemon's socket (no CLI process).
 */
async function alertEvents(home: string, rule: string): Promise<string[]> {
  const { events } = await withClient(home, (client) => client.events({ kinds: ['alert'], limit: 10_000 }));
  return events.filter((event) => event.fields?.rule === rule).map((event) => event.kind);
}

interface AlertRow {
  rule: { name: string };
  phase: string;
  instances: { key: string; phase: string }[];
  lastDelivery: { at: number; isOk: boolean; attempts: number } | null;
}

/** What `velos alerts --json` prints, read over the daemon's socket (no CLI process: it is polled). */
async function alertList(home: string): Promise<AlertRow[]> {
  return JSON.parse(JSON.stringify(await withClient(home, (client) => client.alerts()))) as AlertRow[];
}

/** Adds a runtime rule over the daemon's socket, as `velos alerts add <name> --when <when>` does. */
async function addRule(home: string, raw: Record<string, unknown>): Promise<void> {
  const [rule] = parseAlertRules([raw], 'test', RUNTIME_ALERT_SOURCE);
  await withClient(home, (client) => client.addAlert(rule!));
}

/** Waits for `rule`'s last delivery in `velos alerts`: alert-state.json holds it then (written as it is recorded). */
async function lastDeliveryOf(home: string, rule: string): Promise<{ at: number }> {
  return waitFor(
    async () => (await alertList(home)).find((alert) => alert.rule.name === rule)?.lastDelivery,
    { message: `the last delivery of ${rule} in velos alerts` },
  );
}

/** Starts fixtures/ticker.js as `mem` and returns its pid (any Node process uses more than 10 MB). */
async function startMem(home: string): Promise<number> {
  await velosOk(['start', 'fixtures/ticker.js', '--name', 'mem'], { home });
  const [row] = await waitFor(async () => {
    const rows = (await listState(home)).filter((r) => r.name === 'mem' && r.pid !== null);
    return rows.length === 1 ? rows : undefined;
  });
  seenPids.add(row!.pid!);
  return row!.pid!;
}

/**
 * After a daemon change: once the new daemon measured `mem` (pid `pid`), a command that changes the
 * rules makes it evaluate them all; `mem-high` must be firing still, with its one firing event.
 */
async function expectStillFiringOnce(
  home: string,
  pid: number,
  when: string,
  deliveredAt: number,
): Promise<void> {
  await waitFor(
    async () =>
      (await listState(home)).some((r) => r.name === 'mem' && r.pid === pid && r.memory > 10 * 1024 ** 2),
    { message: `${when}: the new daemon to measure mem` },
  );
  await addRule(home, { name: `nudge-${when}`, when: 'daemon degraded' });
  const alerts = await alertList(home);
  // the last delivery too: the one the first daemon made (the new one sent nothing)
  expect(
    alerts.find((alert) => alert.rule.name === 'mem-high'),
    when,
  ).toMatchObject({
    phase: 'firing',
    instances: [{ key: 'mem', phase: 'firing' }],
    lastDelivery: { isOk: true, attempts: 1, at: deliveredAt },
  });
  expect(await alertEvents(home, 'mem-high'), when).toEqual(['alert.firing']);
}

describe('firing alerts across daemons (velos update, daemon crash)', () => {
  it('an alert firing before a daemon crash and velos update is not sent again while it holds, and resolves once', async () => {
    const home = createHome();
    const hook = await startReceiver();
    receivers.push(hook);
    const sent = () => hook.received.filter((r) => r.path === '/mem').map((r) => r.body.status);
    const pid = await startMem(home);
    await addRule(home, { name: 'mem-high', when: 'memory > 10M', app: 'mem', webhook: `${hook.url}/mem` });
    await waitFor(() => sent().length === 1, { message: 'the firing notification' });
    const delivered = await lastDeliveryOf(home, 'mem-high');
    expect(statSync(join(home, 'alert-state.json')).mode & 0o777).toBe(0o600);
    await waitForLiveTable(home, 'mem');

    await killDaemon(home);
    await expectStillFiringOnce(home, pid, 'crash', delivered.at);
    const update = await velosOk(['update'], { home });
    expect(update.stdout).toMatch(/daemon replaced: .*1 process kept running/);
    await expectStillFiringOnce(home, pid, 'update', delivered.at);

    await withClient(home, (client) => client.stop('mem'));
    await waitFor(() => sent().includes('resolved'), { message: 'the resolved notification' });
    expect(await alertEvents(home, 'mem-high')).toEqual(['alert.firing', 'alert.resolved']);
    expect(sent()).toEqual(['firing', 'resolved']);
  });

  it('an errored rule added after velos update fires for an app the update found errored (no rule told of it before)', async () => {
    const home = createHome();
    await velosOk(['start', 'false', '--name', 'down', '--max-restarts', '1'], { home });
    const isErrored = async () =>
      (await listState(home)).some((r) => r.name === 'down' && r.status === 'errored');
    await waitFor(isErrored, { message: 'down errored' });
    await velosOk(['update'], { home });
    expect(await isErrored()).toBe(true);

    await addRule(home, { name: 'errored', when: 'errored' });
    await waitFor(async () => (await alertList(home)).find((alert) => alert.phase === 'firing'), {
      message: 'the new rule firing for down',
    });
    expect((await alertList(home))[0]).toMatchObject({ instances: [{ key: 'down', phase: 'firing' }] });
    expect(await alertEvents(home, 'errored')).toEqual(['alert.firing']);
  });

  it('a rule of the daemon config.toml takes back its firing alert after a daemon crash', async () => {
    const home = createHome();
    const hook = await startReceiver();
    receivers.push(hook);
    const sent = () => hook.received.filter((r) => r.path === '/cfg').map((r) => r.body.status);
    writeFileSync(
      join(home, 'config.toml'),
      `[[alerts]]
name = "mem-high"
app = "mem"
when = "memory > 10M"
webhook = "${hook.url}/cfg"
`,
    );
    const pid = await startMem(home);
    await waitFor(() => sent().length === 1, { message: 'the firing notification' });
    const delivered = await lastDeliveryOf(home, 'mem-high');
    await waitForLiveTable(home, 'mem');

    await killDaemon(home);
    await expectStillFiringOnce(home, pid, 'crash', delivered.at);

    await withClient(home, (client) => client.stop('mem'));
    await waitFor(() => sent().includes('resolved'), { message: 'the resolved notification' });
    expect(sent()).toEqual(['firing', 'resolved']);
  });
});
