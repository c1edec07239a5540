import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { respawnGaps } from '../scenarios/crash-respawn.mjs';
import { restartGaps } from '../scenarios/crash-restart.mjs';

const dir = mkdtempSync(join(tmpdir(), 'bench-respawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('respawnGaps', () => {
  it('pairs each exit with the next PID: its process start (timeOrigin) and its first code', () => {
    const file = join(dir, 'times.log');
    writeFileSync(
      file,
      [
        'start 1000.0 10 960.0',
        'exit 1300.0 10',
        'start 1350.5 11 1310.5',
        'exit 1650.5 11',
        'start 1700.0 12 1660.0',
        '',
      ].join('\n'),
    );
    expect(respawnGaps(file)).toEqual([
      { exists: 10.5, runs: 50.5 },
      { exists: 9.5, runs: 49.5 },
    ]);
    // the older scenario reads the same file (the 4th field is ignored there)
    expect(restartGaps(file)).toEqual([50.5, 49.5]);
  });

  it('is empty for a missing file or a run that never restarted', () => {
    expect(respawnGaps(join(dir, 'missing.log'))).toEqual([]);
    const file = join(dir, 'once.log');
    writeFileSync(file, 'start 1000 10 990\nexit 1300 10\n');
    expect(respawnGaps(file)).toEqual([]);
  });
});
