import { describe, expect, it, vi } from 'vitest';
import { type LineBatch, lineStrings } from '../../src/logs/line-batch.js';
import { LineRing } from '../../src/logs/line-ring.js';
import { SHARED_READ_BYTES, SHARED_READ_HEADROOM } from '../../src/logs/shared-read-buffer.js';

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

  it('copies every batch into its slabs, so the pushed buffer may be reused at once', () => {
    const ring = new LineRing(10_000, 1 << 20);
    const reused = Buffer.alloc(8192);
    const pushView = (text: string) => {
      const length = reused.write(text);
      ring.push({
        data: reused.subarray(0, length),
        lines: text.split('\n').length - 1,
        ts: 0,
        stream: 'out',
        pid: 1,
      });
      reused.fill(0x3f);
    };
    for (let i = 0; i < 3; i += 1) pushView(`line ${i}\n`);
    pushView(`${'x'.repeat(4096)}\n`);
    expect(lines(ring)).toEqual(['line 0', 'line 1', 'line 2', 'x'.repeat(4096)]);
    // many batches: the slabs grow and are reused, lines stay whole and in order across slabs
    for (let i = 0; i < 20_000; i += 1)
      pushView(`n${i}-${'y'.repeat(i % 50)}\n${i % 7 === 0 ? 'z'.repeat(i % 3000) + '\n' : ''}`);
    const kept = lines(ring).filter((line) => line.startsWith('n'));
    expect(kept.length).toBeGreaterThan(1000);
    expect(kept).toEqual(
      Array.from({ length: kept.length }, (_, k) => {
        const i = 20_000 - kept.length + k;
        return `n${i}-${'y'.repeat(i % 50)}`;
      }),
    );
  });

  it('gives snapshots of their own: pushes that reuse the slabs do not change them', () => {
    const ring = new LineRing(3, 1 << 20);
    const big = (i: number) => batch(`${String(i).repeat(40_000)}\n`);
    ring.push(big(1));
    const snapshot = ring.snapshot();
    for (let i = 2; i < 9; i += 1) ring.push(big(i));
    expect(snapshot.flatMap((entry) => lineStrings(entry.data))).toEqual(['1'.repeat(40_000)]);
    expect(lines(ring)).toEqual([6, 7, 8].map((i) => String(i).repeat(40_000)));
  });

  it('reuses its slabs for batches as big as a full read with a carried line in front', () => {
    const ring = new LineRing(1000, 1 << 20);
    const size = SHARED_READ_HEADROOM + SHARED_READ_BYTES;
    const batches = Array.from({ length: 10 }, (_, i) => batch(`${String(i).repeat(size - 1)}\n`));
    const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      for (let i = 0; i < 200; i += 1) ring.push({ ...batches[i % 10]! });
      // about 1 MiB of batches kept, and a few spares: not a new slab per batch
      expect(allocations.mock.calls.length).toBeLessThan(25);
      expect(lines(ring).at(-1)).toBe('9'.repeat(size - 1));
    } finally {
      allocations.mockRestore();
    }
  });

  it('keeps evicting by lines and bytes with slabs', () => {
    const ring = new LineRing(3, 1024);
    for (let i = 0; i < 100; i += 1) ring.push(batch(`${i}\n`));
    expect(lines(ring)).toEqual(['97', '98', '99']);
  });

  it('reuses no slab a writer holds: the held copy stays as it was until released', () => {
    const ring = new LineRing(2, 1 << 20);
    const size = SHARED_READ_HEADROOM + SHARED_READ_BYTES;
    const full = (i: number) => batch(`${String(i % 10).repeat(size - 1)}\n`);
    const first = full(0);
    const held = ring.push(first)!;
    held.hold();
    const copy = first.data;
    // the batch leaves the ring at once, its slab would be refilled by the next pushes
    for (let i = 1; i < 20; i += 1) ring.push(full(i));
    expect(copy.toString()).toBe(`${'0'.repeat(size - 1)}\n`);
    held.release();
    // released: it may serve again, and the ring goes on as usual
    for (let i = 20; i < 40; i += 1) ring.push(full(i));
    expect(lines(ring)).toEqual([38, 39].map((i) => String(i % 10).repeat(size - 1)));
  });

  it('returns no slab for a batch it does not keep', () => {
    const ring = new LineRing(10, 100);
    const big = batch(`${'x'.repeat(200)}\n`);
    const data = big.data;
    expect(ring.push(big)).toBeNull();
    expect(big.data).toBe(data);
    expect(ring.push(batch('a\n'))).not.toBeNull();
  });
});
