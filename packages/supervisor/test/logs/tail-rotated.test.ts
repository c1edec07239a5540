import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRotated } from '../../src/logs/index.js';
import { exited, fileLines, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

function pipelineAt(dir: string, id: number, compress: boolean, ringLines = 20) {
  return harness.pipeline({
    id,
    name: 'app',
    outPath: join(dir, 'app-out.log'),
    errPath: join(dir, 'app-err.log'),
    format: 'plain',
    ringLines,
    rotation: { maxBytes: 2048, retain: 100, compress },
  });
}

/** 3000 numbered lines of `chatty.js` captured into 2 KiB files, plain or gzipped, all rotated files settled. */
async function floodIntoRotatedFiles(compress: boolean, ringLines?: number) {
  const dir = await harness.dir();
  const outPath = join(dir, 'app-out.log');
  const logs =
    ringLines === undefined ? pipelineAt(dir, 1, compress) : pipelineAt(dir, 1, compress, ringLines);
  const child = harness.spawn('chatty.js', { COUNT: '3000', RATE: '6000' });
  harness.capture(logs, child);
  await exited(child);
  await logs.drained();
  await waitFor(
    async () => (await listRotated(outPath)).every((file) => file.isCompressed === compress),
    'compression of the rotated files',
  );
  return { logs, outPath };
}

describe('tails across rotated files', () => {
  it('reads as many rotated generations as the count needs, newest last, plain or gzipped', async () => {
    for (const compress of [false, true]) {
      const { logs, outPath } = await floodIntoRotatedFiles(compress);
      // 2 KiB files (each passes the limit by at most one pipe read): 1000 lines span rotated files
      expect((await fileLines(outPath)).length).toBeLessThan(1000);
      expect((await listRotated(outPath)).length).toBeGreaterThan(2);
      const tail = await logs.tail({ lines: 1000, stream: 'out' });
      expect(tail.map((line) => line.line)).toEqual(numbered(2001, 3000));
      const all = await logs.tail({ lines: 5000, stream: 'out' });
      expect(all.map((line) => line.line)).toEqual(numbered(1, 3000));
      await logs.close();
    }
  }, 60_000);

  it('reads past the rotated files the ring spans when the ring holds more lines than the newest files', async () => {
    for (const compress of [false, true]) {
      const { logs, outPath } = await floodIntoRotatedFiles(compress, 1000);
      // the ring's 1000 lines span the current file and several rotated ones (2 KiB each)
      expect((await fileLines(outPath)).length).toBeLessThan(500);
      const tail = await logs.tail({ lines: 1300, stream: 'out' });
      expect(tail.map((line) => line.line)).toEqual(numbered(1701, 3000));
      const all = await logs.tail({ lines: 5000, stream: 'out' });
      expect(all.map((line) => line.line)).toEqual(numbered(1, 3000));
      await logs.close();
    }
  }, 60_000);

  it('after a daemon restart (a new writer, nothing rotated by it yet) still reads the older files', async () => {
    const dir = await harness.dir();
    const first = pipelineAt(dir, 1, false);
    const child = harness.spawn('chatty.js', { COUNT: '1000', RATE: '5000' });
    harness.capture(first, child);
    await exited(child);
    await first.drained();
    await first.close();

    const second = pipelineAt(dir, 1, false);
    const next = harness.spawn('chatty.js', { COUNT: '3', RATE: '0', PAD: '1' });
    harness.capture(second, next);
    await exited(next);
    await second.drained();
    const tail = await second.tail({ lines: 600, stream: 'out' });
    expect((await listRotated(join(dir, 'app-out.log'))).length).toBeGreaterThan(2);
    expect(tail.map((line) => line.line)).toEqual([
      ...numbered(404, 1000),
      'line 1 x',
      'line 2 x',
      'line 3 x',
    ]);
    await second.close();
  }, 60_000);
});
