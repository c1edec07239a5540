import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriter } from '../../src/logs/file-writer.js';
import { listRotated } from '../../src/logs/index.js';
import { exited, Harness, waitFor } from './helpers.js';

const harness = new Harness();
const writers: FileWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
  await harness.cleanup();
});

describe('flush and rotated files', () => {
  it('deletes the rotated files (plain, gzipped, time indexes) and empties the current one', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'api-out.log');
    const writer = new FileWriter({
      path,
      highWaterBytes: 1 << 20,
      rotation: { retain: 10, compress: true },
    });
    writers.push(writer);
    for (const word of ['one', 'two', 'three']) {
      writer.write(Buffer.from(`${word}\n`.repeat(1000)), 'out', 1000);
      await writer.rotate();
    }
    writer.write(Buffer.from('current\n'), 'out', 1);
    await writer.settled();
    expect((await listRotated(path)).length).toBe(3);
    await writer.truncate();
    expect(await listRotated(path)).toEqual([]);
    expect(
      (await readdir(dir)).filter((name) => name !== 'api-out.log' && name !== 'api-out.log.tidx'),
    ).toEqual([]);
    expect(await readFile(path, 'utf8')).toBe('');
    writer.write(Buffer.from('after\n'), 'out', 1);
    await writer.settled();
    expect(await readFile(path, 'utf8')).toBe('after\n');
    expect(writer.position().previous).toBeNull();
  });

  it("leaves other apps' rotated files alone, and a flushed pipeline's tail reads nothing from before", async () => {
    const dir = await harness.dir();
    const other = new FileWriter({
      path: join(dir, 'other-out.log'),
      highWaterBytes: 1 << 20,
      rotation: { compress: false },
    });
    writers.push(other);
    other.write(Buffer.from('kept\n'), 'out', 1);
    await other.rotate();
    const outPath = join(dir, 'app-out.log');
    const logs = harness.pipeline({
      id: 1,
      name: 'app',
      outPath,
      errPath: join(dir, 'app-err.log'),
      format: 'plain',
      ringLines: 10,
      rotation: { maxBytes: 4096, retain: 100, compress: false },
    });
    // paced: many small reads, so the 4 KiB limit rotates several times (it is checked per write)
    const child = harness.spawn('chatty.js', { COUNT: '2000', RATE: '4000' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    await waitFor(async () => (await listRotated(outPath)).length > 3, 'a few rotations');
    await logs.flush();
    expect(await listRotated(outPath)).toEqual([]);
    expect((await listRotated(join(dir, 'other-out.log'))).length).toBe(1);
    expect(await logs.tail({ lines: 100, stream: 'out' })).toEqual([]);
    await logs.close();
  });
});
