import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
