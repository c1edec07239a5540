import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppSpec } from '@velos/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureLogDirs } from '../src/pm2/ecosystem-file.js';

let dir: string;
let umaskBefore: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'velos-logdir-'));
  // umask 000: a directory made without an explicit mode would be 0777, open to every user
  umaskBefore = process.umask(0);
});
afterEach(() => {
  process.umask(umaskBefore);
  rmSync(dir, { recursive: true, force: true });
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('velos start makes missing out_file, error_file and log_file folders 0750 whatever the umask', () => {
  it('each folder, nested ones included', () => {
    const spec = {
      name: 'api',
      outFile: join(dir, 'out', 'deep', 'api-out.log'),
      errFile: join(dir, 'err', 'api-err.log'),
      logFile: join(dir, 'all', 'api.log'),
    } as unknown as AppSpec;
    ensureLogDirs([spec]);
    expect(
      [join(dir, 'out'), join(dir, 'out', 'deep'), join(dir, 'err'), join(dir, 'all')].map(modeOf),
    ).toEqual([0o750, 0o750, 0o750, 0o750]);
  });
});
