import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  outLog,
  range,
  readLines,
  velosOk,
  waitExited,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

function lineNumbers(text: string): number[] {
  return [...text.matchAll(/line (\d+)\b/g)].map((m) => Number(m[1]));
}

/** The rotated siblings of the out log of `name` (`<name>-out.<time>.log[.gz]`). */
function rotatedOf(home: string, name: string): string[] {
  const dir = dirname(outLog(home, name));
  return readdirSync(dir)
    .filter((file) => file.startsWith(`${name}-out.`) && /Z(-\d+)?\.log(\.gz)?$/.test(file))
    .map((file) => join(dir, file));
}

describe('rotated log files (issue 15)', () => {
  it('--log-max-size 10K keeps every file within 10K; logs --lines reads across them; flush deletes them', async () => {
    const home = createHome();
    await velosOk(
      [
        'start',
        'fixtures/chatty.js',
        '--name',
        'rot',
        '--no-autorestart',
        '--log-max-size',
        '10K',
        '--log-retain',
        '100',
        '--no-log-compress',
      ],
      { home, env: { COUNT: '10000', RATE: '0' } },
    );
    await waitExited(home, 'rot');
    const rotated = await waitFor(
      () => {
        const files = rotatedOf(home, 'rot');
        const lines = files.reduce((sum, file) => sum + readLines(file).length, 0);
        return lines + readLines(outLog(home, 'rot')).length === 10_000 ? files : undefined;
      },
      { message: 'all 10000 lines on disk' },
    );
    expect(rotated.length).toBeGreaterThan(5);
    // rotation cuts a write at a line boundary: no file passes the limit
    for (const file of [...rotated, outLog(home, 'rot')])
      expect(statSync(file).size).toBeLessThanOrEqual(10 * 1024);

    const tail = await velosOk(['logs', 'rot', '--lines', '5000', '--raw'], { home });
    expect(lineNumbers(tail.stdout)).toEqual(range(5001, 10_000));

    await velosOk(['flush', 'rot'], { home });
    expect(rotatedOf(home, 'rot')).toEqual([]);
    expect(statSync(outLog(home, 'rot')).size).toBe(0);
  });
});
