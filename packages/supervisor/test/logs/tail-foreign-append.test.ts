import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, fileLines, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

// A daemon replaced by `velos update` may have a write land in the log file after the new daemon
// opened it and took its size as the file's end: the tail must still give every line of the file once.
describe('tail of a file another process appended to', () => {
  it('holds a line appended right after the open, between the older lines and the ring', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    writeFileSync(outPath, 'from the old daemon 1\nfrom the old daemon 2\n');
    const logs = harness.pipeline({
      id: 1,
      name: 'late',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      ringLines: 100,
    });
    // the old daemon's last write, landing after the open: the writer's position does not count it
    appendFileSync(outPath, 'from the old daemon 3\n');
    const child = harness.spawn('chatty.js', { COUNT: '300', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    const expected = [
      'from the old daemon 1',
      'from the old daemon 2',
      'from the old daemon 3',
      ...numbered(1, 300),
    ];
    expect(await fileLines(outPath)).toEqual(expected);
    const tail = await logs.tail({ lines: 1000, stream: 'out' });
    expect(tail.map((line) => line.line)).toEqual(expected);
    // the lines the ring holds are not read twice, and the newest come from it (with their pid)
    const last = await logs.tail({ lines: 50, stream: 'out' });
    expect(last.map((line) => line.line)).toEqual(numbered(251, 300));
  });

  it('holds a line appended between two runs of lines, and goes on counting from the file end', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 2,
      name: 'between',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      ringLines: 1000,
    });
    const first = harness.spawn('chatty.js', { COUNT: '100', RATE: '0' });
    harness.capture(logs, first);
    await exited(first);
    await logs.drained();
    appendFileSync(outPath, 'appended by another process\n');
    const second = harness.spawn('chatty.js', { COUNT: '100', RATE: '0' });
    harness.capture(logs, second);
    await exited(second);
    await logs.drained();

    const expected = [...numbered(1, 100), 'appended by another process', ...numbered(1, 100)];
    expect(await fileLines(outPath)).toEqual(expected);
    const tail = await logs.tail({ lines: 1000, stream: 'out' });
    expect(tail.map((line) => line.line)).toEqual(expected);

    // lines written after the check are counted from the file's real end again
    const third = harness.spawn('chatty.js', { COUNT: '30', RATE: '0' });
    harness.capture(logs, third);
    await exited(third);
    await logs.drained();
    const again = await logs.tail({ lines: 1000, stream: 'out' });
    expect(again.map((line) => line.line)).toEqual([...expected, ...numbered(1, 30)]);
  });
});
