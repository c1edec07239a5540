import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LINE_BYTES } from '../../src/logs/index.js';
import { exited, fileLines, firstMismatch, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('line capture', () => {
  it('captures 200k lines written at full speed exactly once, in order', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 1,
      name: 'chatty',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const child = harness.spawn('chatty.js', { COUNT: '200000', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    const lines = await fileLines(join(dir, 'out.log'));
    expect(firstMismatch(lines, 200_000, (i) => `line ${i + 1}`)).toBe(-1);
    const counters = logs.counters();
    expect(counters).toMatchObject({ out: 200_000, err: 0, dropped: 0 });
    expect(counters.bytes).toBe((await stat(join(dir, 'out.log'))).size);
    expect((await stat(join(dir, 'err.log'))).size).toBe(0);
  }, 120_000);

  it('never tears or interleaves lines of two streams sharing one file', async () => {
    const dir = await harness.dir();
    const path = join(dir, 'merged.log');
    const logs = harness.pipeline({ id: 2, name: 'both', outPath: path, errPath: path, format: 'plain' });
    const count = 30_000;
    const out = harness.spawn('chatty.js', { COUNT: String(count), RATE: '0', PAD: '100' });
    const err = harness.spawn('chatty.js', { COUNT: String(count), RATE: '0', PAD: '157', STREAM: 'err' });
    harness.capture(logs, out);
    harness.capture(logs, err);
    await Promise.all([exited(out), exited(err)]);
    await logs.drained();

    const outPattern = /^line (\d+) x{100}$/;
    const errPattern = /^line (\d+) x{157}$/;
    const next = { out: 1, err: 1 };
    const bad: string[] = [];
    let switches = 0;
    let previous: 'out' | 'err' | null = null;
    for (const line of await fileLines(path)) {
      const which = outPattern.test(line) ? 'out' : errPattern.test(line) ? 'err' : null;
      const number = Number(/^line (\d+)/.exec(line)?.[1]);
      if (which === null || number !== next[which]) {
        bad.push(line.slice(0, 80));
        continue;
      }
      next[which] += 1;
      if (previous !== null && previous !== which) switches += 1;
      previous = which;
    }
    expect(bad).toEqual([]);
    expect(next).toEqual({ out: count + 1, err: count + 1 });
    expect(switches).toBeGreaterThan(0);
    expect(logs.counters()).toMatchObject({ out: count, err: count });
  }, 120_000);

  it('holds a partial line until the stream ends, then writes it as a line', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 3,
      name: 'long',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const child = harness.spawn('long-line.js', { LONG_BYTES: '100', STAY: '1' });
    harness.capture(logs, child);

    await waitFor(async () => (await readFile(outPath, 'utf8')).includes(':end\n'), 'the long line');
    expect(await readFile(outPath, 'utf8')).not.toContain('partial');
    expect(logs.counters().out).toBe(2);

    process.kill(child.pid, 'SIGKILL');
    await exited(child);
    await logs.drained();
    const lines = await fileLines(outPath);
    expect(lines).toEqual(['short line', `long:${'y'.repeat(100)}:end`, 'partial final line']);
    expect((await readFile(outPath, 'utf8')).endsWith('partial final line\n')).toBe(true);
    expect(logs.counters().out).toBe(3);
  });

  it.each([
    ['100 KiB', 100 * 1024],
    ['1 MiB', 1024 * 1024],
  ])('keeps a %s line whole in the file, the tail and the live feed', async (_label, size) => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 4,
      name: 'long',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const live: string[] = [];
    logs.subscribe((batch) => live.push(...batch.map((line) => line.line)));
    const child = harness.spawn('long-line.js', { LONG_BYTES: String(size) });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    const expected = ['short line', `long:${'y'.repeat(size)}:end`, 'partial final line'];
    expect(await fileLines(outPath)).toEqual(expected);
    expect((await logs.tail({ lines: 10, stream: 'out' })).map((line) => line.line)).toEqual(expected);
    await waitFor(() => live.length === 3, 'three live lines');
    expect(live).toEqual(expected);
    expect(logs.counters().out).toBe(3);
  });

  it(`cuts a line longer than ${DEFAULT_MAX_LINE_BYTES} bytes into counted pieces, losing no byte`, async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 5,
      name: 'huge',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const size = 3 * 1024 * 1024;
    const child = harness.spawn('long-line.js', { LONG_BYTES: String(size) });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();

    const lines = await fileLines(outPath);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toHaveLength(DEFAULT_MAX_LINE_BYTES);
    expect(lines[1]! + lines[2]!).toBe(`long:${'y'.repeat(size)}:end`);
    expect(lines[3]).toBe('partial final line');
    expect(logs.counters().out).toBe(4);
  });
});
