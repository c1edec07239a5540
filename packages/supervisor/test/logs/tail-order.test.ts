import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRotated } from '../../src/logs/index.js';
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

  it('keep the order they had before the time index when the files have none', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    await writeFile(outPath, 'old out 1\nold out 2\n');
    await writeFile(errPath, 'old err 1\n');
    const logs = harness.pipeline({ id: 3, name: 'old', outPath, errPath, format: 'plain', ringLines: 2 });
    noteAll(logs, ['out new', 'err new']);
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
