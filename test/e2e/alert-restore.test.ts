import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertReceiver, startReceiver } from './alert-receiver.js';
import {
  cleanupHomes,
  createHome,
  isAlive,
  killPid,
  listJson,
  readPidFile,
  velosOk,
  waitFor,
  waitForLiveTable,
} from './helpers.js';

const receivers: AlertReceiver[] = [];
/** Pids of supervised children a test saw, killed by pid in teardown whatever happened. */
const seenPids = new Set<number>();

afterEach(async () => {
  for (const pid of seenPids) killPid(pid);
  seenPids.clear();
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

/** The `alert.*` events of `rule` in the event log (every daemon's), oldest first. */
async function alertEvents(home: string, rule: string): Promise<string[]> {
  const { stdout } = await velosOk(['events', '--kind', 'alert', '--json', '--limit', '10000'], { home });
  return (JSON.parse(stdout) as { kind: string; fields?: { rule?: string } }[])
    .filter((event) => event.fields?.rule === rule)
    .map((event) => event.kind);
}

describe('firing alerts across daemons (velos update, daemon crash)', () => {
  it('an alert firing before a daemon crash and velos update is not sent again while it holds, and resolves once', async () => {
    const home = createHome();
    const hook = await startReceiver();
    receivers.push(hook);
    const sent = () => hook.received.filter((r) => r.path === '/mem').map((r) => r.body.status);
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'mem'], { home });
    const [row] = await waitFor(async () => {
      const rows = (await listJson(home)).filter((r) => r.name === 'mem' && r.pid !== null);
      return rows.length === 1 ? rows : undefined;
    });
    seenPids.add(row!.pid!);
    // any Node process uses more than 10 MB: the condition holds as long as it runs
    await velosOk(
      ['alerts', 'add', 'mem-high', '--when', 'memory > 10M', '--app', 'mem', '--webhook', `${hook.url}/mem`],
      { home },
    );
    await waitFor(() => sent().length === 1, { message: 'the firing notification' });
    expect(statSync(join(home, 'alert-state.json')).mode & 0o777).toBe(0o600);
    await waitForLiveTable(home, 'mem');

    /** Once the new daemon measured the app, any command that changes the rules makes it evaluate them. */
    const expectStillFiringOnce = async (when: string): Promise<void> => {
      await waitFor(
        async () =>
          (await listJson(home)).some(
            (r) => r.name === 'mem' && r.pid === row!.pid && r.memory > 10 * 1024 ** 2,
          ),
        { message: `${when}: the new daemon to measure mem` },
      );
      await velosOk(['alerts', 'add', `nudge-${when}`, '--when', 'daemon degraded'], { home });
      const [alert] = JSON.parse((await velosOk(['alerts', '--json'], { home })).stdout) as {
        phase: string;
        instances: { key: string; phase: string }[];
      }[];
      expect(alert, when).toMatchObject({ phase: 'firing', instances: [{ key: 'mem', phase: 'firing' }] });
      expect(await alertEvents(home, 'mem-high'), when).toEqual(['alert.firing']);
    };

    await killDaemon(home);
    await expectStillFiringOnce('crash');
    const update = await velosOk(['update'], { home });
    expect(update.stdout).toMatch(/daemon replaced: .*1 process kept running/);
    await expectStillFiringOnce('update');

    await velosOk(['stop', 'mem'], { home });
    await waitFor(() => sent().includes('resolved'), { message: 'the resolved notification' });
    expect(await alertEvents(home, 'mem-high')).toEqual(['alert.firing', 'alert.resolved']);
    expect(sent()).toEqual(['firing', 'resolved']);
  });
});
