import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportedComponent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPONENTS_FILE, readComponents, writeComponents } from '../../src/components/component-store.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-components-'));
  homes.push(dir);
  return dir;
}

const backup: ReportedComponent = {
  name: 'backup',
  status: 'degraded',
  message: 'slow',
  app: 'api',
  intervalMs: 3_600_000,
  lastReportAt: 1_800_000_000_000,
  isStale: false,
  since: 1_799_999_000_000,
  reports: 3,
};

describe('components.json', () => {
  it('keeps the components across a write and a read, and is removed when none are left', () => {
    const dir = home();
    const lines: string[] = [];
    expect(readComponents(dir, (line) => lines.push(line))).toEqual([]);
    writeComponents(dir, [backup, { ...backup, name: 'sync', isStale: true, message: undefined }]);
    const read = readComponents(dir, (line) => lines.push(line));
    expect(read.map((c) => [c.name, c.isStale])).toEqual([
      ['backup', false],
      ['sync', true],
    ]);
    expect(read[0]).toEqual(backup);
    writeComponents(dir, []);
    expect(existsSync(join(dir, COMPONENTS_FILE))).toBe(false);
    expect(lines).toEqual([]);
  });

  it('forgets a file that is not JSON and leaves out entries that are not components, saying so', () => {
    const dir = home();
    const lines: string[] = [];
    writeFileSync(join(dir, COMPONENTS_FILE), '{"components": [');
    expect(readComponents(dir, (line) => lines.push(line))).toEqual([]);
    expect(lines[0]).toMatch(/components\.json is not JSON/);
    writeFileSync(
      join(dir, COMPONENTS_FILE),
      JSON.stringify({
        components: [backup, { ...backup, name: 'bad name' }, { ...backup, intervalMs: 5 }, null],
      }),
    );
    expect(readComponents(dir, (line) => lines.push(line)).map((c) => c.name)).toEqual(['backup']);
    expect(lines[1]).toBe('components: 3 entries of components.json left out');
  });
});
