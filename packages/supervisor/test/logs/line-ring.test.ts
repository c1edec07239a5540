import { describe, expect, it } from 'vitest';
import { type LineBatch, lineStrings } from '../../src/logs/line-batch.js';
import { LineRing } from '../../src/logs/line-ring.js';

const batch = (text: string, ts = 0): LineBatch => ({
  data: Buffer.from(text),
  lines: text.split('\n').length - 1,
  ts,
  stream: 'out',
  pid: 1,
});
const lines = (ring: LineRing) => ring.snapshot().flatMap((entry) => lineStrings(entry.data));

describe('LineRing', () => {
  it('keeps exactly the last maxLines lines', () => {
    const ring = new LineRing(4, 1024);
    ring.push(batch('1\n2\n3\n'));
    ring.push(batch('4\n5\n'));
    expect(lines(ring)).toEqual(['2', '3', '4', '5']);
    ring.push(batch('6\n7\n8\n9\n10\n'));
    expect(lines(ring)).toEqual(['7', '8', '9', '10']);
    expect(ring.snapshot().reduce((sum, entry) => sum + entry.lines, 0)).toBe(4);
  });

  it('drops the oldest batches when the bytes exceed the cap', () => {
    const ring = new LineRing(100, 10);
    ring.push(batch('aaaa\n'));
    ring.push(batch('bbbb\n'));
    ring.push(batch('cccc\n'));
    expect(lines(ring)).toEqual(['bbbb', 'cccc']);
    ring.push(batch(`${'z'.repeat(20)}\n`));
    expect(lines(ring)).toEqual([]);
  });

  it('returns snapshots that later pushes and clear do not change', () => {
    const ring = new LineRing(2, 1024);
    ring.push(batch('a\nb\n'));
    const snapshot = ring.snapshot();
    ring.push(batch('c\n'));
    ring.clear();
    expect(snapshot.flatMap((entry) => lineStrings(entry.data))).toEqual(['a', 'b']);
    expect(ring.snapshot()).toEqual([]);
  });

  it('copies small batches into shared slabs and keeps big ones as they are', () => {
    const ring = new LineRing(10_000, 1 << 20);
    const small = batch('started pid 42\n');
    const big = batch(`${'x'.repeat(4096)}\n`);
    const bigData = big.data;
    for (let i = 0; i < 3; i += 1) ring.push(batch(`line ${i}\n`));
    ring.push(small);
    ring.push(big);
    const kept = ring.snapshot();
    expect(kept.map((entry) => entry.data.buffer === kept[0]!.data.buffer)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(kept[4]!.data).toBe(bigData);
    expect(lines(ring)).toEqual(['line 0', 'line 1', 'line 2', 'started pid 42', 'x'.repeat(4096)]);
    // many small batches: the slabs grow, lines stay whole and in order, nothing is lost across slabs
    for (let i = 0; i < 2000; i += 1) ring.push(batch(`n${i}-${'y'.repeat(i % 50)}\n`));
    const tail = lines(ring).slice(-2000);
    expect(tail).toEqual(Array.from({ length: 2000 }, (_, i) => `n${i}-${'y'.repeat(i % 50)}`));
    expect(new Set(ring.snapshot().map((entry) => entry.data.buffer.byteLength)).size).toBeGreaterThan(1);
  });

  it('keeps evicting by lines and bytes with slabs', () => {
    const ring = new LineRing(3, 1024);
    for (let i = 0; i < 100; i += 1) ring.push(batch(`${i}\n`));
    expect(lines(ring)).toEqual(['97', '98', '99']);
  });
});
