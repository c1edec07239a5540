import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tailLogs } from '../../src/log-queries.js';
import { rotatedPath } from '../../src/logs/log-rotation.js';
import type { ProcessRecord } from '../../src/process-record.js';
import { Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('the files a tail of several apps cut at its byte limit names', () => {
  it('names the rotated file the left-out lines were read from, not the current one (rings empty: after velos update)', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'old-out.log');
    const rotated = rotatedPath(outPath, new Date(Date.now() - 60_000));
    const line = (n: number) => `an older line of the app, number ${String(n).padStart(4, '0')}`;
    // the earlier daemon's lines: 40 in a rotated file, 2 in the current one, an hour ago
    writeFileSync(rotated, Array.from({ length: 40 }, (_, n) => `${line(n)}\n`).join(''));
    writeFileSync(outPath, `${line(40)}\n${line(41)}\n`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(rotated, hourAgo, hourAgo);
    utimesSync(outPath, hourAgo, hourAgo);
    const record = (id: number, name: string, path: string): ProcessRecord => {
      const pipeline = harness.pipeline({ id, name, outPath: path, errPath: `${path}.err`, format: 'plain' });
      return { id, app: { spec: { name }, ids: [id] }, pipeline } as unknown as ProcessRecord;
    };
    const old = record(0, 'old', outPath);
    const fresh = record(1, 'fresh', join(dir, 'fresh-out.log'));
    for (let n = 0; n < 30; n += 1) fresh.pipeline.note('out', `a new line of the other app, number ${n}`);
    await new Promise((resolve) => setImmediate(resolve));
    // each app's 42 and 30 lines fit alone; both together do not: the oldest, in the rotated file, are left out
    const result = await tailLogs([old, fresh], 100, 'all', 5000);
    expect(result.cut).toBeDefined();
    expect(result.lines.at(-1)?.name).toBe('fresh');
    const oldest = result.lines[0]!;
    expect(oldest.name).toBe('old');
    expect(result.cut!.files).toEqual([rotated]);
    expect(result.cut!.omittedLines).toBeGreaterThan(2);
    // where the newest line left out ends in it, for the notice's `head -c`
    const firstKept = Number(oldest.line.slice(-4));
    expect(firstKept).toBeLessThan(40);
    expect(result.cut!.endOffsets).toEqual([firstKept * Buffer.byteLength(`${line(0)}\n`)]);
  });
});
