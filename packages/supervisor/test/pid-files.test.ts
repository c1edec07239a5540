import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { pidFileProblem, removePidFile, writePidFile } from '../src/pid-files.js';
import type { ProcessRecord } from '../src/process-record.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function recordWith(pidFile: string, pid: number | null): ProcessRecord {
  const app = { spec: { name: 'app', pidFile, instances: 1 }, ids: [0] };
  return { id: 0, instance: 0, pid, app } as unknown as ProcessRecord;
}

describe('pid files: writes and removals of one file land in the order asked', () => {
  it('a removal (the run ended) then a write (the restarted run) leaves the new pid, every time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    const path = join(dir, 'app.pid');
    for (let pid = 1000; pid < 1040; pid += 1) {
      await writePidFile(recordWith(path, pid - 1), () => undefined);
      const removed = removePidFile(recordWith(path, null));
      const written = writePidFile(recordWith(path, pid), () => undefined);
      await Promise.all([removed, written]);
      expect(readFileSync(path, 'utf8')).toBe(`${pid}\n`);
    }
  });

  it('a write then a removal leaves no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    const path = join(dir, 'sub', 'app.pid');
    const written = writePidFile(recordWith(path, 42), () => undefined);
    await Promise.all([written, removePidFile(recordWith(path, null))]);
    expect(existsSync(path)).toBe(false);
  });
});

describe('pid files: a file planted at the path is never written through', () => {
  it('a symbolic link to another file is refused and logged; the file it points at is unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    const victim = join(dir, 'victim.conf');
    writeFileSync(victim, 'keep me\n');
    const path = join(dir, 'app.pid');
    symlinkSync(victim, path);
    const logged: string[] = [];
    await writePidFile(recordWith(path, 4242), (line) => logged.push(line));
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`cannot write pid_file ${path}`);
    expect(logged[0]).toContain('it is a symbolic link');
  });

  it('a FIFO without a reader fails at once instead of blocking the write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    const path = join(dir, 'app.pid');
    execFileSync('mkfifo', [path]);
    const logged: string[] = [];
    await writePidFile(recordWith(path, 4242), (line) => logged.push(line));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`cannot write pid_file ${path}`);
  });
});

describe('pid files: readable by monitoring tools, their folder too', () => {
  it('a missing folder is made 0755 and the file 0644, under umask 000 as under 022', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    for (const umask of [0o000, 0o022]) {
      const path = join(dir, `umask-${umask}`, 'run', 'app.pid');
      const umaskBefore = process.umask(umask);
      try {
        await writePidFile(recordWith(path, 4242), () => undefined);
      } finally {
        process.umask(umaskBefore);
      }
      const modes = [join(dir, `umask-${umask}`), join(dir, `umask-${umask}`, 'run'), path].map(
        (entry) => statSync(entry).mode & 0o777,
      );
      expect(modes).toEqual([0o755, 0o755, 0o644]);
    }
  });
});

/** A copy of /dev/null made with mknod (root only: null where this user cannot make one, and the cases skip it). */
function nullDeviceCopy(dir: string): string | null {
  if (process.getuid?.() !== 0) return null;
  const path = join(dir, 'null-copy');
  const { rdev } = statSync('/dev/null');
  // major and minor of Linux's dev_t (1, 3 for /dev/null)
  try {
    execFileSync('mknod', [path, 'c', String((rdev >> 8) & 0xfff), String(rdev & 0xff)], { stdio: 'ignore' });
  } catch {
    return null; // a container without CAP_MKNOD
  }
  return path;
}

describe('pid files: only a regular file is written or removed', () => {
  it('a FIFO, a directory and a device at the path are left in place when the run ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    const fifo = join(dir, 'fifo.pid');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir, 'folder.pid');
    mkdirSync(folder);
    const device = nullDeviceCopy(dir);
    const paths = [fifo, folder, ...(device === null ? [] : [device])];
    for (const path of paths) await removePidFile(recordWith(path, null));
    expect(paths.map((path) => existsSync(path))).toEqual(paths.map(() => true));
    if (device !== null) expect(lstatSync(device).isCharacterDevice()).toBe(true);
  });

  it('a FIFO with a reader is refused, never written into', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    const path = join(dir, 'app.pid');
    execFileSync('mkfifo', [path]);
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const logged: string[] = [];
      await writePidFile(recordWith(path, 4242), (line) => logged.push(line));
      expect(logged).toEqual([
        `process 0 (app): cannot write pid_file ${path}: VelosError: refusing to write ${path}: it is a FIFO, not a regular file; remove it or name another path`,
      ]);
      // nothing waits in the pipe: end of file, where a write would have left 4242 there
      expect(readSync(reader, Buffer.alloc(16))).toBe(0);
    } finally {
      closeSync(reader);
    }
  });

  it('a start whose pid_file path is a FIFO, a directory or a device is refused, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-pid-'));
    dirs.push(dir);
    const fifo = join(dir, 'fifo.pid');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(join(dir, 'folder-1.pid'));
    expect(pidFileProblem({ pidFile: fifo, instances: 1 })).toBe(
      `pid_file ${fifo} is a FIFO, not a regular file (name another path, or leave pid_file out for none)`,
    );
    // each instance's own file is looked at
    expect(pidFileProblem({ pidFile: join(dir, 'folder.pid'), instances: 2 })).toMatch(
      new RegExp(`^pid_file ${join(dir, 'folder-1.pid')} is a directory, not a regular file`),
    );
    expect(pidFileProblem({ pidFile: join(dir, 'absent.pid'), instances: 1 })).toBeNull();
    const device = nullDeviceCopy(dir);
    if (device !== null)
      expect(pidFileProblem({ pidFile: device, instances: 1 })).toMatch(
        / is a character device, not a regular file/,
      );

    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await expect(supervisor.start([appSpec(home, { name: 'api', pidFile: fifo })])).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: `api cannot start: pid_file ${fifo} is a FIFO, not a regular file (name another path, or leave pid_file out for none)`,
    });
    expect(await supervisor.list()).toEqual([]);
    // config set of such a path is refused the same way, and the app keeps the spec it had
    await supervisor.start([appSpec(home, { name: 'web' })]);
    await expect(supervisor.configSet('web', { pid_file: fifo })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: `web cannot start: pid_file ${fifo} is a FIFO, not a regular file (name another path, or leave pid_file out for none)`,
    });
    expect((await supervisor.configGet('web')).pidFile).toBeUndefined();
  });
});
