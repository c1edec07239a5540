import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  killChild,
  outLog,
  range,
  readLines,
  spawnVelos,
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

  it('a tail reads on past the rotated files the ring spans (ring lines in several small gzipped files), also with -f', async () => {
    const home = createHome();
    // ~31-byte lines: a 10K file holds ~330 of them, so the ring's 1,000 lines span four files
    await velosOk(
      ['start', 'fixtures/chatty.js', '--name', 'rot', '--log-max-size', '10K', '--log-retain', '5'],
      { home, env: { COUNT: '3000', RATE: '0', PAD: '20', STAY: '1' } },
    );
    const isLineOf = (n: number) => (line: string) => line.startsWith(`line ${n} `);
    await waitFor(
      () => {
        const rotated = rotatedOf(home, 'rot');
        return (
          readLines(outLog(home, 'rot')).some(isLineOf(3000)) &&
          rotated.length === 5 &&
          rotated.every((file) => file.endsWith('.gz'))
        );
      },
      { message: 'line 3000 written and five gzipped rotated files' },
    );
    const onDisk = [
      ...rotatedOf(home, 'rot')
        .sort()
        .flatMap((file) => gunzipSync(readFileSync(file)).toString().trimEnd().split('\n')),
      ...readLines(outLog(home, 'rot')),
    ];
    expect(onDisk.length).toBeGreaterThan(1300);
    expect(onDisk.length).toBeLessThan(3000);
    expect(readLines(outLog(home, 'rot')).length).toBeLessThan(1000);

    const tail = await velosOk(['logs', 'rot', '--lines', '1300', '--raw'], { home });
    expect(lineNumbers(tail.stdout)).toEqual(range(1701, 3000));
    const all = await velosOk(['logs', 'rot', '--lines', '5000', '--raw'], { home });
    expect(lineNumbers(all.stdout)).toEqual(lineNumbers(onDisk.join('\n')));

    const follower = spawnVelos(['logs', 'rot', '--raw', '--follow', '--lines', '1300'], { home });
    let followed = '';
    follower.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      followed += chunk;
    });
    try {
      await waitFor(() => followed.includes('line 3000 '), {
        message: 'the follow printing its first batch',
      });
      expect(lineNumbers(followed)).toEqual(range(1701, 3000));
    } finally {
      killChild(follower);
    }
  });
});
