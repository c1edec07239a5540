import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRotated } from '../../src/logs/index.js';
import {
  TIME_INDEX_ENTRY_BYTES,
  TIME_INDEX_RUN_ENTRIES_PER_SECOND,
  TIME_INDEX_RUN_STEP_MS,
  timeIndexPath,
} from '../../src/logs/time-index.js';
import { Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** `out 1`, `err 2`, `out 3` …: odd numbers on stdout, even ones on stderr, in that order. */
const alternating = (count: number) =>
  Array.from({ length: count }, (_, i) => `${i % 2 === 0 ? 'out' : 'err'} ${i + 1}`);

/** Writes `lines` through the pipeline in order, each one a batch of its stream (`out …` or `err …`). */
function noteAll(logs: ReturnType<Harness['pipeline']>, lines: string[]): void {
  for (const line of lines) logs.note(line.startsWith('out') ? 'out' : 'err', line);
}

describe('tails of separate out and err files', () => {
  it('merge the lines read from the files in the order they arrived, within one millisecond too', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 1,
      name: 'two',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
      ringLines: 4,
    });
    // runs of one stream of several lines, then single lines, all faster than the clock ticks
    const lines = [
      'out 1',
      'out 2',
      'out 3',
      'err 4',
      'err 5',
      'out 6',
      ...alternating(40).map((line, i) => line.replace(/\d+$/, String(i + 7))),
    ];
    noteAll(logs, lines);
    await logs.drained();

    const all = await logs.tail({ lines: lines.length, stream: 'all' });
    expect(all.map((line) => line.line)).toEqual(lines);
    expect(all.map((line) => line.stream)).toEqual(lines.map((line) => line.slice(0, 3)));
    const part = await logs.tail({ lines: 20, stream: 'all' });
    expect(part.map((line) => line.line)).toEqual(lines.slice(-20));
    expect(all.every((line) => Number.isInteger(line.ts))).toBe(true);
  });

  it('merge in order across rotated files, plain or gzipped, with lines arriving over time', async () => {
    for (const compress of [false, true]) {
      const dir = await harness.dir();
      const logs = harness.pipeline({
        id: 2,
        name: 'rot',
        outPath: join(dir, 'app-out.log'),
        errPath: join(dir, 'app-err.log'),
        format: 'plain',
        ringLines: 10,
        rotation: { maxBytes: 200, retain: 100, compress },
      });
      const lines = alternating(120);
      for (let from = 0; from < lines.length; from += 30) {
        noteAll(logs, lines.slice(from, from + 30));
        const at = Date.now();
        await waitFor(() => Date.now() > at + 2, 'the clock to move on');
      }
      await logs.drained();
      if (compress) {
        await waitFor(
          async () => (await listRotated(join(dir, 'app-err.log'))).every((file) => file.isCompressed),
          'the rotated files gzipped',
        );
      }
      const all = await logs.tail({ lines: 120, stream: 'all' });
      expect(all.map((line) => line.line)).toEqual(lines);
    }
  });

  it('of an app switching streams at every line keep each stream’s order, the rest within 10 ms, with a bounded index', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    const logs = harness.pipeline({ id: 4, name: 'flip', outPath, errPath, format: 'plain', ringLines: 100 });
    const lines = alternating(10_000);
    // each line arrived (its batch's time) between `arrived` and `noted`
    const arrived: number[] = [];
    const noted: number[] = [];
    for (const line of lines) {
      arrived.push(Date.now());
      logs.note(line.startsWith('out') ? 'out' : 'err', line);
      noted.push(Date.now());
    }
    await logs.drained();
    const all = await logs.tail({ lines: lines.length, stream: 'all' });
    const numbers = all.map((line) => Number(line.line.split(' ')[1]));
    expect(numbers.filter((n) => n % 2 === 1)).toEqual(lines.map((_, i) => i + 1).filter((n) => n % 2 === 1));
    expect(numbers.filter((n) => n % 2 === 0)).toEqual(lines.map((_, i) => i + 1).filter((n) => n % 2 === 0));
    // the ring's lines are in their exact order; no line comes after one that arrived a step later
    expect(numbers.slice(-100)).toEqual(lines.slice(-100).map((line) => Number(line.split(' ')[1])));
    let latest = Number.NEGATIVE_INFINITY;
    const late = numbers.filter((n) => {
      const isLate = noted[n - 1]! < latest - TIME_INDEX_RUN_STEP_MS;
      latest = Math.max(latest, arrived[n - 1]!);
      return isLate;
    });
    expect(late).toEqual([]);
    // each file: the runs of each second up to the limit, one per 10 ms step beyond, and a few others
    const seconds = Math.floor(arrived.at(-1)! / 1000) - Math.floor(arrived[0]! / 1000) + 1;
    const steps = Math.floor((arrived.at(-1)! - arrived[0]!) / TIME_INDEX_RUN_STEP_MS) + 1;
    const bound = (seconds * TIME_INDEX_RUN_ENTRIES_PER_SECOND + steps + 10) * TIME_INDEX_ENTRY_BYTES;
    for (const path of [outPath, errPath])
      expect((await stat(timeIndexPath(path))).size).toBeLessThanOrEqual(bound);
  });

  it('keep the order they had before the time index when the files have none', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    await writeFile(outPath, 'old out 1\nold out 2\n');
    await writeFile(errPath, 'old err 1\n');
    const logs = harness.pipeline({ id: 3, name: 'old', outPath, errPath, format: 'plain', ringLines: 2 });
    noteAll(logs, ['out new']);
    // err new in a later millisecond (as under load): the err file's mtime is then after out new, and
    // its old line must still come first (it ended where the writer found the file)
    const at = Date.now();
    while (Date.now() <= at + 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    noteAll(logs, ['err new']);
    await logs.drained();
    const all = await logs.tail({ lines: 10, stream: 'all' });
    expect(all.map((line) => line.line)).toEqual([
      'old out 1',
      'old out 2',
      'old err 1',
      'out new',
      'err new',
    ]);
  });
});
