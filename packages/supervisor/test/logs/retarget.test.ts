import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRotated } from '../../src/logs/index.js';
import { exited, fileLines, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** The numbers of chatty's `line N` lines, in file order. */
function numbers(lines: string[]): number[] {
  return lines.map((line) => Number(/line (\d+)/.exec(line)?.[1]));
}

describe('LogPipeline.retarget (CFG-2)', () => {
  it('moves a running child to another file, merged, dated and rotated: every line in exactly one file, in order', async () => {
    const dir = await harness.dir();
    const [out, err, merged] = [join(dir, 'a-out.log'), join(dir, 'a-err.log'), join(dir, 'b.log')];
    const pipeline = harness.pipeline({ id: 0, name: 'a', outPath: out, errPath: err, format: 'plain' });
    const child = harness.spawn('chatty.js', { RATE: '200', PAD: '40' });
    harness.capture(pipeline, child);
    await waitFor(async () => (await fileLines(out)).length >= 20, '20 lines in a-out.log');

    pipeline.retarget({
      outPath: merged,
      errPath: merged,
      format: 'plain',
      dateFormat: 'YYYY-MM-DD',
      rotation: { maxBytes: 4096, retain: 100, compress: false },
    });
    await waitFor(async () => (await listRotated(merged)).length >= 2, 'b.log rotated twice at 4 KB');
    process.kill(child.pid, 'SIGTERM');
    await exited(child);
    await pipeline.drained();

    const rotated = (await listRotated(merged)).reverse().map((file) => file.path);
    const moved = (await Promise.all([...rotated, merged].map(fileLines))).flat();
    expect(moved[0]).toMatch(/^\d{4}-\d{2}-\d{2} line \d+ x+$/);
    const all = [...numbers(await fileLines(out)), ...numbers(moved)];
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    expect(existsSync(err)).toBe(true);
    expect(await fileLines(err)).toEqual([]);
    // a tail reads the new file
    const tail = await pipeline.tail({ lines: 3, stream: 'all' });
    expect(tail.map((line) => line.line)).toEqual(
      (await fileLines(merged)).slice(-3).map((l) => l.slice(11)),
    );
  });

  it('swapping the out and err files keeps one reference per writer: both files are closed with the pipeline', async () => {
    const dir = await harness.dir();
    const [one, two] = [join(dir, 'one.log'), join(dir, 'two.log')];
    const pipeline = harness.pipeline({ id: 0, name: 'a', outPath: one, errPath: two, format: 'plain' });
    pipeline.retarget({ outPath: two, errPath: one, format: 'plain' });
    pipeline.note('out', 'to two');
    pipeline.note('err', 'to one');
    await pipeline.close();
    expect(await fileLines(two)).toEqual(['to two']);
    expect(await fileLines(one)).toEqual(['to one']);
    expect(openPaths().filter((path) => path === one || path === two)).toEqual([]);
  });

  it('a file that cannot be opened throws INVALID_ARGUMENT and changes nothing', async () => {
    const dir = await harness.dir();
    const out = join(dir, 'a.log');
    const pipeline = harness.pipeline({ id: 0, name: 'a', outPath: out, errPath: out, format: 'plain' });
    const bad = join(dir, 'missing', 'b.log');
    expect(() =>
      pipeline.retarget({ outPath: out, errPath: bad, format: 'plain', rotation: { maxBytes: 1024 } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    pipeline.note('out', 'still here');
    await pipeline.drained();
    expect(await fileLines(out)).toEqual(['still here']);
  });
});

/** The files this process holds open (Linux: /proc/self/fd). */
function openPaths(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}
