import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { restartGaps } from '../scenarios/crash-restart.mjs';

const dir = mkdtempSync(join(tmpdir(), 'bench-gaps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('restartGaps', () => {
  it('pairs each exit with the next start of another PID', () => {
    const file = join(dir, 'times.log');
    writeFileSync(
      file,
      [
        'start 1000.0 10',
        'exit 1300.0 10',
        'start 1350.5 11',
        'exit 1650.5 11',
        'start 1700.0 12',
        'exit 2000.0 12',
        '',
      ].join('\n'),
    );
    expect(restartGaps(file)).toEqual([50.5, 49.5]);
  });

  it('is empty for a missing file or a run that never restarted', () => {
    expect(restartGaps(join(dir, 'missing.log'))).toEqual([]);
    const file = join(dir, 'once.log');
    writeFileSync(file, 'start 1000 10\nexit 1300 10\n');
    expect(restartGaps(file)).toEqual([]);
  });
});
