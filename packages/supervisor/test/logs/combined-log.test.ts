import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, fileLines, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

// Issue #14: PM2's log_file, every line of both streams in one more file, flushed with the others.
describe('combined log file (log_file)', () => {
  it('gets the lines of both streams besides their own files, and is flushed with them', async () => {
    const dir = await harness.dir();
    const paths = { out: join(dir, 'out.log'), err: join(dir, 'err.log'), all: join(dir, 'all.log') };
    const logs = harness.pipeline({
      id: 1,
      name: 'both',
      outPath: paths.out,
      errPath: paths.err,
      combinedPath: paths.all,
      format: 'plain',
    });
    const out = harness.spawn('chatty.js', { COUNT: '30', RATE: '0' });
    harness.capture(logs, out);
    await exited(out);
    const err = harness.spawn('chatty.js', { COUNT: '20', RATE: '0', STREAM: 'err' });
    harness.capture(logs, err);
    await exited(err);
    await logs.drained();
    expect(await fileLines(paths.out)).toHaveLength(30);
    expect(await fileLines(paths.err)).toHaveLength(20);
    expect(await fileLines(paths.all)).toHaveLength(50);
    expect(logs.counters()).toMatchObject({ out: 30, err: 20, dropped: 0 });
    await logs.flush();
    expect(await fileLines(paths.all)).toEqual([]);
  });

  it('is left out when it names the out or err file (no line is written twice)', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 2,
      name: 'same',
      outPath,
      errPath: join(dir, 'err.log'),
      combinedPath: outPath,
      format: 'plain',
    });
    const child = harness.spawn('chatty.js', { COUNT: '10', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    expect(await fileLines(outPath)).toHaveLength(10);
  });
});
