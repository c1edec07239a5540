import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  isAlive,
  listJson,
  readPidFile,
  SeenProcesses,
  spawnVelos,
  velos,
  velosOk,
  waitFor,
} from './chaos-helpers.js';

const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

/** Sets the soft open-file limit of a running process (the hard one stays: raising it back needs a privilege). */
function setSoftNofile(pid: number, soft: number): void {
  const hard = execFileSync(
    'prlimit',
    ['--pid', String(pid), '--nofile', '--output', 'HARD', '--noheadings'],
    {
      encoding: 'utf8',
    },
  ).trim();
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:${hard}`]);
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

describe('a low open-file limit', () => {
  it('start fails with a clear EMFILE error, the daemon keeps answering, and it recovers once the limit is raised', async () => {
    const home = createHome();
    await velosOk(['start', 'sleep 600', '--name', 'first'], { home });
    const daemon = readPidFile(home)!;
    await waitFor(async () => (await listJson(home))[0]?.status === 'online', { message: 'first online' });
    const baseline = openFds(daemon);
    setSoftNofile(daemon, baseline + 12);

    // One command starts 8 apps: those past the limit fail, each with its line on stderr.
    const config = join(home, 'apps.json');
    const apps = Array.from({ length: 8 }, (_, i) => ({ name: `app-${i}`, script: 'sleep 600' }));
    writeFileSync(config, JSON.stringify({ apps }));
    const result = await velos(['start', config], { home });
    const errors = result.stderr.split('\n').filter((line) => /app-\d/.test(line));
    // Some starts failed, each saying why in one line; none crashed the daemon.
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatch(/EMFILE|too many open files/);
    expect(isAlive(daemon)).toBe(true);
    const rows = await listJson(home);
    expect(rows[0]).toMatchObject({ name: 'first', status: 'online' });
    for (const row of rows) if (row.pid) seenPids.add(row.pid);

    const started = rows.filter((row) => row.name.startsWith('app-')).map((row) => row.name);
    expect(rows.filter((row) => row.status === 'online').length).toBeLessThan(apps.length + 1);
    // Room again: the same file starts all 8 (once what half-started is deleted), and a new app starts.
    setSoftNofile(daemon, 4096);
    if (started.length > 0) await velosOk(['delete', ...started], { home });
    await velosOk(['start', config], { home });
    await velosOk(['start', 'sleep 600', '--name', 'after'], { home });
    const after = await waitFor(
      async () => {
        const all = await listJson(home);
        return all.every((row) => row.status === 'online') ? all : undefined;
      },
      { message: 'every app online once the limit is raised' },
    );
    for (const row of after) seenPids.add(row.pid!);
    expect(after.length).toBe(apps.length + 2);
    expect(readPidFile(home)).toBe(daemon);
    // Nothing leaked: once every app is deleted, the daemon holds about what it held with one app.
    await velosOk(['delete', 'all'], { home });
    await waitFor(() => openFds(daemon) <= baseline, { message: `the daemon's fds back to ${baseline}` });
  });

  it('with no descriptor left at all, a command waits (nothing is accepted) and is answered once the limit is raised', async () => {
    const home = createHome();
    await velosOk(['start', 'sleep 600', '--name', 'first'], { home });
    const daemon = readPidFile(home)!;
    setSoftNofile(daemon, 8);
    const list = spawnVelos(['list', '--json'], { home });
    let stdout = '';
    list.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => list.once('exit', resolve));
    expect(isAlive(daemon)).toBe(true);
    setSoftNofile(daemon, 4096);
    expect(await exited).toBe(0);
    await waitFor(() => stdout.includes('"first"'), { message: 'the answer of the waiting list' });
    expect(readPidFile(home)).toBe(daemon);
  });
});
