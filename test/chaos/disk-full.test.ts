import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURE_DIR,
  killPid,
  outLog,
  readLines,
  readPidFile,
  SeenProcesses,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './chaos-helpers.js';

/** Why a tmpfs cannot be mounted here (not root, or a container without CAP_SYS_ADMIN), or null when it can. */
function mountRefusal(): string | null {
  if (process.getuid?.() !== 0) return 'not root: mounting a small tmpfs needs root';
  const probe = mkdtempSync(join(tmpdir(), 'velos-chaos-mount-'));
  try {
    const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], {
      encoding: 'utf8',
    });
    if (result.status !== 0)
      return `mount -t tmpfs refused: ${(result.stderr || String(result.error)).trim()}`;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    rmdirSync(probe);
  }
}

const refusal = mountRefusal();
if (refusal) console.warn(`disk-full chaos test skipped: ${refusal}`);

const mounts: string[] = [];
const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  // The daemon goes first (it holds files in the mount), then the mount, then the home.
  for (const mount of mounts) {
    const home = join(mount, '..');
    // by pid and start time: once `velos kill` ended it, its pid may name another process
    const daemon = new SeenProcesses();
    daemon.add(readPidFile(home));
    await velos(['kill'], { home, timeoutMs: 20_000 }).catch(() => undefined);
    for (const pid of daemon.alive()) killPid(pid);
    await waitFor(() => daemon.alive().length === 0, { message: 'the daemon to be gone' });
  }
  for (const mount of mounts.splice(0)) spawnSync('umount', ['-l', mount]);
  await cleanupHomes();
});

/** Fills a filesystem: writes into `path` until ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

interface Health {
  status: string;
  components: Array<{ name: string; status: string; value?: number; reason?: string }>;
}

async function logsHealth(home: string): Promise<Health['components'][number]> {
  const result = await velos(['health', '--json'], { home });
  const health = JSON.parse(result.stdout) as Health;
  return health.components.find((component) => component.name === 'logs')!;
}

describe.skipIf(refusal !== null)('the log directory on a full filesystem', () => {
  it('the daemon stays up, counts the dropped lines, raises daemon.degraded, and writes again once space returns', async () => {
    const home = createHome();
    const logs = join(home, 'logs');
    mkdirSync(logs, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', logs]);
    mounts.push(logs);
    // Health evaluated every 300 ms; the disk of the home (not the tmpfs) never counts as low here.
    const env = {
      VELOS_HEALTH_INTERVAL_MS: '300',
      VELOS_HEALTH_DISK_MIN_BYTES: '1',
      VELOS_HEALTH_DISK_CRITICAL_BYTES: '1',
      EVERY_MS: '5',
      COUNT: '1000000',
      LINE_BYTES: '100',
    };
    await velosOk(['start', `${FIXTURE_DIR}/line-per-write.js`, '--name', 'writer'], { home, env });
    const row = await waitForStatus(home, 'writer', 'online');
    seenPids.add(row.pid!);
    const path = outLog(home, 'writer');
    await waitFor(() => readLines(path).length > 20, { message: 'the first lines' });
    expect((await logsHealth(home)).status).toBe('healthy');

    const filler = join(logs, 'filler');
    fill(filler);
    const dropped = await waitFor(
      async () => {
        const logsNow = await logsHealth(home);
        return logsNow.status === 'degraded' && (logsNow.value ?? 0) > 0 ? logsNow : undefined;
      },
      { message: 'the logs component to count dropped lines' },
    );
    expect(dropped.reason).toMatch(/dropped in the last minute on write errors/);
    const events = await velosOk(['events', '--kind', 'daemon', '--json'], { home });
    expect(events.stdout).toMatch(/daemon\.degraded/);
    // Up and answering all along; the app is not blamed for the disk.
    const listed = JSON.parse((await velosOk(['list', '--json'], { home })).stdout) as Array<{
      status: string;
    }>;
    expect(listed[0]?.status).toBe('online');

    unlinkSync(filler);
    const linesAtRecovery = readLines(path).length;
    await waitFor(() => readLines(path).length > linesAtRecovery + 50, {
      message: 'lines to be written again once space returned',
    });
    const total = (await logsHealth(home)).value ?? 0;
    await waitFor(() => readLines(path).length > linesAtRecovery + 150, { message: 'more lines' });
    // No more drops once space is back: the count stays where it was.
    expect((await logsHealth(home)).value).toBe(total);
    console.log(`disk full: ${total} line(s) dropped and counted; writing resumed`);
    rmSync(filler, { force: true });
  });
});
