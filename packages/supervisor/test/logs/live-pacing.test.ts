import { join } from 'node:path';
import type { LogLine } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, Harness, waitFor } from './helpers.js';

type LogStream = LogLine['stream'];

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('live subscribers that fall behind (LivePacing)', () => {
  it('count the lines that come while they are behind instead of getting them, and get the next ones', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 1,
      name: 'paced',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    let isBehind = true;
    const got: LogLine[] = [];
    const skipped: Record<LogStream, number> = { out: 0, err: 0 };
    const keeping: string[] = [];
    logs.subscribe((lines) => got.push(...lines), {
      isBehind: () => isBehind,
      onSkipped: (count, stream) => {
        skipped[stream] += count;
      },
    });
    // a subscriber without pacing gets every line meanwhile
    logs.subscribe((lines) => keeping.push(...lines.map((line) => line.line)));
    const out = harness.spawn('chatty.js', { COUNT: '2000', RATE: '0' });
    const err = harness.spawn('chatty.js', { COUNT: '300', RATE: '0', STREAM: 'err' });
    harness.capture(logs, out);
    harness.capture(logs, err);
    await Promise.all([exited(out), exited(err)]);
    await logs.drained();
    await waitFor(() => keeping.length === 2300, 'every line on the subscriber without pacing');
    expect(got).toEqual([]);
    expect(skipped).toEqual({ out: 2000, err: 300 });

    isBehind = false;
    logs.note('out', 'after catching up');
    await waitFor(() => got.length === 1, 'the next line on the paced subscriber');
    expect(got[0]!.line).toBe('after catching up');
    expect(skipped).toEqual({ out: 2000, err: 300 });
  });

  it('are counted, never delivered, when every subscriber is behind (the files and ring keep them)', async () => {
    const dir = await harness.dir();
    const logs = harness.pipeline({
      id: 2,
      name: 'all-behind',
      outPath: join(dir, 'out.log'),
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    let skipped = 0;
    let calls = 0;
    logs.subscribe(
      () => {
        calls += 1;
      },
      { isBehind: () => true, onSkipped: (count) => (skipped += count) },
    );
    const child = harness.spawn('chatty.js', { COUNT: '5000', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    await waitFor(() => skipped === 5000, 'every line counted');
    expect(calls).toBe(0);
    // the files and the ring keep every line
    const tail = await logs.tail({ lines: 10, stream: 'out' });
    expect(tail.map((line) => line.line).at(-1)).toBe('line 5000');
  });
});
