import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertReceiver, startReceiver } from './alert-receiver.js';
import {
  cleanupHomes,
  createHome,
  describeState,
  isAlive,
  type ListRow,
  listJson,
  listState,
  readLines,
  readPidFile,
  SeenProcesses,
  velosOk,
  waitFor,
  waitForStatus,
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

/** The events of `kind` about `app` in the home's events file (every daemon's). */
function eventsOf(home: string, kind: string, app: string): unknown[] {
  return readLines(join(home, 'events.jsonl'))
    .map((line) => JSON.parse(line) as { kind: string; app?: string })
    .filter((event) => event.kind === kind && event.app === app);
}

/** Whether the daemon's live table (run/live.json) lists `name` as not running. */
function isDownInLiveTable(home: string, name: string): boolean {
  try {
    const live = JSON.parse(readFileSync(join(home, 'run', 'live.json'), 'utf8')) as {
      apps: { spec: { name: string }; running: boolean }[];
    };
    return live.apps.some((app) => app.spec.name === name && !app.running);
  } catch {
    return false;
  }
}

/** Starts crash-after.js as `name`: it exits with code 3 50 ms after each start, errored after one restart. */
async function startFlaky(home: string, name: string): Promise<void> {
  await velosOk(
    ['start', 'fixtures/crash-after.js', '--name', name, '--max-restarts', '1', '--min-uptime', '5000'],
    { home, env: { CRASH_AFTER_MS: '50', EXIT_CODE: '3' } },
  );
}

describe('an errored app across daemons (velos update, daemon crash)', () => {
  it('stays errored with its counts and last exit, is not started, alerts and events are not repeated; restart runs it; one that ended while no daemon ran is restarted and counted once', async () => {
    const home = createHome();
    const hook = await startReceiver();
    receivers.push(hook);
    const firings = (app: string) =>
      hook.received.filter((r) => r.path === '/errs' && r.body.status === 'firing' && r.body.app === app);
    await velosOk(['alerts', 'add', 'errs', '--when', 'errored', '--webhook', `${hook.url}/errs`], { home });
    await startFlaky(home, 'flaky');
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'web'], { home });
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'idle'], { home });
    await velosOk(['stop', 'idle'], { home });
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'gone'], { home });
    const web = await waitForStatus(home, 'web', 'online');
    seenPids.add(web.pid!);
    const gone = await waitForStatus(home, 'gone', 'online');
    seenPids.add(gone.pid!);
    const errored = await waitForStatus(home, 'flaky', 'errored');
    expect(errored).toMatchObject({ restarts: 1, pid: null, exitCode: 3, lastExitReason: 'crash' });
    await waitFor(() => firings('flaky').length === 1, { message: 'the errored alert of flaky' });
    await waitFor(() => isDownInLiveTable(home, 'flaky') && isDownInLiveTable(home, 'idle'), {
      message: 'the live table to hold flaky and idle down',
    });
    await waitFor(() => eventsOf(home, 'process.errored', 'flaky').length === 1, {
      message: 'the errored event of flaky in events.jsonl',
    });
    const startedBefore = eventsOf(home, 'process.started', 'flaky').length;

    // the table read by `list` (after a crash: `velos list --json`, which starts the next daemon; else
    // the running daemon's over its socket), the detail over the socket
    const expectSameTable = async (when: string, list = listState): Promise<void> => {
      const rows = Object.fromEntries((await list(home)).map((row) => [row.name, row])) as Record<
        string,
        ListRow
      >;
      expect(rows.flaky, when).toMatchObject({
        status: 'errored',
        pid: null,
        restarts: 1,
        exitCode: 3,
        lastExitReason: 'crash',
      });
      expect(rows.idle, when).toMatchObject({ status: 'stopped', pid: null });
      expect(rows.web, when).toMatchObject({ status: 'online', pid: web.pid });
      const [detail] = await describeState(home, 'flaky');
      expect(detail, when).toMatchObject({ unstableRestarts: 1 });
    };

    // a daemon crash: `velos list` starts a daemon, which restores the live table
    await killDaemon(home);
    // gone ends while no daemon runs: the next daemon restarts it as an exit of unknown status, counted once
    process.kill(gone.pid!, 'SIGKILL');
    await waitFor(() => !isAlive(gone.pid), { message: 'gone to end while no daemon runs' });
    await expectSameTable('after a daemon crash', listJson);
    const back = await waitForStatus(home, 'gone', 'online');
    seenPids.add(back.pid!);
    expect(back).toMatchObject({ restarts: 1, lastExitReason: 'unknown' });
    expect(back.pid).not.toBe(gone.pid);
    const goneRestarts = () =>
      (eventsOf(home, 'process.restarting', 'gone') as { fields: { reason: string } }[]).map(
        (event) => event.fields.reason,
      );
    await waitFor(() => goneRestarts().length === 1, { message: "gone's restarting event" });
    expect(goneRestarts()).toEqual(['unknown']);

    const update = await velosOk(['update'], { home });
    expect(update.stdout).toMatch(/daemon replaced: .*2 processes kept running/);
    await expectSameTable('after velos update');
    expect((await listState(home)).find((row) => row.name === 'gone')).toMatchObject({
      status: 'online',
      pid: back.pid,
      restarts: 1,
    });
    expect(goneRestarts()).toEqual(['unknown']);

    // a new failure under this daemon still alerts; the restored one is still firing, not alerted on again
    await startFlaky(home, 'later');
    await waitForStatus(home, 'later', 'errored');
    await waitFor(() => firings('later').length === 1, { message: 'the errored alert of later' });
    expect(firings('flaky')).toHaveLength(1);
    const alerts = JSON.parse((await velosOk(['alerts', '--json'], { home })).stdout) as {
      instances: { key: string; phase: string }[];
    }[];
    expect(alerts[0]!.instances.map((instance) => `${instance.key}:${instance.phase}`)).toEqual([
      'flaky:firing',
      'later:firing',
    ]);
    expect(eventsOf(home, 'process.errored', 'flaky')).toHaveLength(1);
    expect(eventsOf(home, 'process.started', 'flaky')).toHaveLength(startedBefore);

    // restart works on it as before: it runs, crashes, restarts once and is errored again (as in PM2, the
    // restart of the errored app is not counted, its own restart after the crash is)
    await velosOk(['restart', 'flaky'], { home });
    await waitFor(() => eventsOf(home, 'process.errored', 'flaky').length === 2, {
      message: 'flaky to be errored again after its restart',
    });
    expect(await waitForStatus(home, 'flaky', 'errored')).toMatchObject({ restarts: 2, exitCode: 3 });
  });
});
