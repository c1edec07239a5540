import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { rotatedPath } from '../../src/logs/log-rotation.js';
import { tailLines } from '../../src/logs/log-tail.js';
import { Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('a tail that reads rotated files', () => {
  it('gets every line asked for when rotations prune and compress those files while it reads (a flood, a low retention)', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'app-out.log');
    const line = (n: number) => `line ${n}`;
    const lines = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `${line(from + i)}\n`).join('');
    // the earlier daemon's lines: 3 rotated files of 10 lines, oldest first, then 5 in the current one
    const rotated = [3, 2, 1].map((minutesAgo) =>
      rotatedPath(outPath, new Date(Date.now() - minutesAgo * 60_000)),
    );
    rotated.forEach((path, index) => {
      writeFileSync(path, lines(index * 10, index * 10 + 10));
    });
    writeFileSync(outPath, lines(30, 35));
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const path of [...rotated, outPath]) utimesSync(path, hourAgo, hourAgo);
    const pipeline = harness.pipeline({
      id: 0,
      name: 'app',
      outPath,
      errPath: `${outPath}.err`,
      format: 'plain',
    });
    await pipeline.tailReady();
    const snapshot = pipeline.tailSnapshot();
    let isRotatedMeanwhile = false;
    const decode = snapshot.decode;
    const reading = {
      ...snapshot,
      decode: (text: string) => {
        // while the newest rotated file is read: the oldest one is pruned, the next one compressed
        if (!isRotatedMeanwhile && text === line(29)) {
          isRotatedMeanwhile = true;
          rmSync(rotated[0]!);
          writeFileSync(`${rotated[1]!}.gz`, gzipSync(readFileSync(rotated[1]!)));
          rmSync(rotated[1]!);
        }
        return decode(text);
      },
    };
    const result = await tailLines(reading, 35, 'all');
    expect(isRotatedMeanwhile).toBe(true);
    expect(result.lines.map((entry) => entry.line)).toEqual(lines(0, 35).split('\n').slice(0, -1));
  });
});
