import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  isAlive,
  type ListRow,
  readPidFile,
  SeenProcesses,
  velosOk,
  waitFor,
  withClient,
} from './helpers.js';

/** Pids of supervised children a test saw, killed by pid in teardown whatever happened. */
const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

interface AdoptedRow extends ListRow {
  adopted?: boolean;
}

/**
 * SUP-13: the run entry of a (re)start is on disk when the command is answered. It was written from an
 * immediate after the answer: a daemon SIGKILLed within those milliseconds left the new run unregistered,
 * and the next daemon stopped it as a stray ("not registered") and started the app again.
 */
describe('a daemon SIGKILLed right after a (re)start answered (SUP-13)', () => {
  it('leaves the new run to be re-adopted by the next daemon, not stopped and started again', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'app'], { home });
    for (const command of ['restart', 'restart', 'restart', 'scale', 'restart all', 'restart all'] as const) {
      const daemon = readPidFile(home)!;
      expect(daemon).toBeGreaterThan(0);
      const answer = await withClient(home, async (client) => {
        const rows =
          command === 'scale'
            ? await client.scale('app', '2')
            : await client.restart(command === 'restart' ? 'app' : 'all');
        // killed as soon as the answer came: before it, the new run's entry was not written yet
        process.kill(daemon, 'SIGKILL');
        return rows;
      });
      await waitFor(() => !isAlive(daemon), { message: 'the SIGKILLed daemon to be gone' });
      const pids = answer.map((row) => row.pid);
      for (const pid of pids) if (pid) seenPids.add(pid);
      const result = await velosOk(['list', '--json'], { home });
      expect(result.stderr).not.toMatch(/not registered/);
      const rows = JSON.parse(result.stdout) as AdoptedRow[];
      expect(rows.map((row) => [row.pid, row.status, row.adopted])).toEqual(
        pids.map((pid) => [pid, 'online', true]),
      );
      for (const pid of pids) expect(isAlive(pid)).toBe(true);
    }
    // a restart that starts a stopped app: the live table the next daemon restores may still say
    // stopped, and the runs are re-adopted all the same
    await velosOk(['stop', 'app'], { home });
    const daemon = readPidFile(home)!;
    const started = await withClient(home, async (client) => {
      const rows = await client.restart('app');
      process.kill(daemon, 'SIGKILL');
      return rows;
    });
    await waitFor(() => !isAlive(daemon), { message: 'the SIGKILLed daemon to be gone' });
    for (const row of started) if (row.pid) seenPids.add(row.pid);
    const result = await velosOk(['list', '--json'], { home });
    expect(result.stderr).not.toMatch(/not registered/);
    const rows = JSON.parse(result.stdout) as AdoptedRow[];
    expect(rows.map((row) => [row.pid, row.status, row.adopted])).toEqual(
      started.map((row) => [row.pid, 'online', true]),
    );
  });
});
