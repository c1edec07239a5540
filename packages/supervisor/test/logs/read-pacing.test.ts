import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, fileLines, firstMismatch, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const WIDTH = 100;
const expectedLine = (i: number): string => {
  const head = `line ${i + 1} `;
  return `${head}${'x'.repeat(WIDTH - 1 - head.length)}`;
};

describe('read pacing (one write() per line)', () => {
  it('reads a child that logs a line per write() in batches, every line once and in order', async () => {
    const dir = await harness.dir();
    // a batch per read of the pipe (the lines of a read go out as one batch)
    let reads = 0;
    const logs = harness.pipeline({
      id: 1,
      name: 'lines',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
      onLines: () => {
        reads += 1;
        return 0;
      },
    });
    const count = 400;
    const child = harness.spawn('line-per-write.js', { COUNT: String(count), EVERY_MS: '1' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    expect(firstMismatch(await fileLines(join(dir, 'out.log')), count, expectedLine)).toBe(-1);
    // a line a millisecond, read at once it would be a read per line; paced, several lines a read
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(count / 2);
  }, 60_000);

  it('loses no line of a child SIGKILLed right after its last write', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 2,
      name: 'killed',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const count = 50_000;
    const child = harness.spawn('line-per-write.js', {
      COUNT: String(count),
      KILL_SELF: '1',
      WRITER: 'sync',
    });
    harness.capture(logs, child);
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    await logs.drained();
    expect(firstMismatch(await fileLines(join(dir, 'out.log')), count, expectedLine)).toBe(-1);
  }, 60_000);

  it('writes what the pipes still hold when closed right after the child exits', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'out.log');
    const logs = harness.pipeline({ id: 3, name: 'closed', outPath: path, errPath: path, format: 'plain' });
    const count = 300;
    const child = harness.spawn('line-per-write.js', { COUNT: String(count), EVERY_MS: '1' });
    harness.capture(logs, child);
    await exited(child);
    await logs.close();
    expect(firstMismatch(await fileLines(path), count, expectedLine)).toBe(-1);
  }, 60_000);
});
