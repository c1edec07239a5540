import { closeSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppSpec } from '@velos/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareWatchdogLogDir } from '../src/inactivity/inactivity-watchdog.js';
import { directoryModeOf, openAppend, reopenAppend } from '../src/logs/append-file.js';

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

describe('directories Velos makes for logs are 0750 whatever the umask', () => {
  it("the watchdog's log_file folder, nested", () => {
    const logFile = join(dir, 'own', 'nested', 'writer.log');
    prepareWatchdogLogDir({ name: 'w', watchdog: { logFile } } as unknown as AppSpec);
    expect(modeOf(join(dir, 'own', 'nested'))).toBe(0o750);
    expect(modeOf(join(dir, 'own'))).toBe(0o750);
  });

  it('a log folder that did not exist when the writer opened, made again after its removal', async () => {
    const path = join(dir, 'logs', 'app-out.log');
    expect(directoryModeOf(path)).toBe(0o750);
    mkdirSync(join(dir, 'logs'), { mode: 0o750 });
    const fd = await openAppend(path);
    rmSync(join(dir, 'logs'), { recursive: true });
    const reopened = await reopenAppend(path, fd);
    closeSync(reopened.fd);
    expect(modeOf(join(dir, 'logs'))).toBe(0o750);
  });
});
