import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removePidFile, writePidFile } from '../src/pid-files.js';
import type { ProcessRecord } from '../src/process-record.js';

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
