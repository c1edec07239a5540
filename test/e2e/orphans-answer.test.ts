import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  isAlive,
  type ListRow,
  readLines,
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

/**
 * SUP-13: the run of a crash restart (the daemon's own spawn, no command answered) is journaled at its
 * spawn too. Only a command's runs were: a daemon killed between a crash restart's spawn and its run
 * entry's write left the new run to the next daemon as a stray, stopped and started again.
 */
describe('a daemon SIGKILLed right after a crash restart (SUP-13)', () => {
  it('leaves the new run to be re-adopted by the next daemon from the run journal', async () => {
    const home = createHome();
    const marker = join(home, 'crashed');
    await velosOk(['start', join(FIXTURES, 'crash-then-run.js'), '--name', 'app', '--', marker], {
      home,
      env: { CRASH_AFTER_MS: '50' },
    });
    const restarted = await waitFor(
      async () => {
        const rows = JSON.parse((await velosOk(['list', '--json'], { home })).stdout) as ListRow[];
        return rows[0]?.restarts === 1 && rows[0].status === 'online' ? rows[0] : null;
      },
      { message: 'the app to crash once and run again' },
    );
    seenPids.add(restarted.pid!);
    const entryPath = join(home, 'run', '0.json');
    await waitFor(() => readLines(entryPath).join('').includes(`"pid":${restarted.pid},`), {
      message: `run/0.json to name the restarted pid ${restarted.pid}`,
    });
    const daemon = readPidFile(home)!;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), { message: 'the SIGKILLed daemon to be gone' });
    // what a daemon killed between the restart's spawn and its run entry's write leaves on disk: the
    // entry is written from an immediate after the spawn, a window too short to kill it in on purpose
    rmSync(entryPath);
    const result = await velosOk(['list', '--json'], { home });
    expect(result.stderr).not.toMatch(/not registered/);
    expect(result.stderr).toMatch(/re-adopted app \(id 0, pid \d+\)/);
    const rows = JSON.parse(result.stdout) as AdoptedRow[];
    expect(rows.map((row) => [row.pid, row.status, row.adopted])).toEqual([[restarted.pid, 'online', true]]);
    expect(isAlive(restarted.pid)).toBe(true);
  });
});
