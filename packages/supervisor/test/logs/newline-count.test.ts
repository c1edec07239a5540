import { describe, expect, it } from 'vitest';
import { countNewlines, newlineCounterKind } from '../../src/logs/newline-count.js';

/** A deterministic pseudo-random generator (xorshift32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function naive(data: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let i = start; i < end; i += 1) if (data[i] === 10) lines += 1;
  return lines;
}

describe('countNewlines', () => {
  it('counts the newlines of any region exactly, small and large, across the counter memory size', () => {
    const next = random(20261202);
    const data = Buffer.alloc(400_000);
    // newlines and bytes around them (9, 11, 138 = 10 | 128) at random, some long runs of each
    for (let i = 0; i < data.length; i += 1) {
      const r = next();
      data[i] = r < 0.05 ? 10 : r < 0.06 ? 9 : r < 0.07 ? 11 : r < 0.08 ? 138 : 32 + Math.floor(r * 90);
    }
    data.fill(10, 1000, 1100);
    data.fill(120, 5000, 90_000);
    const sizes = [0, 1, 15, 16, 17, 100, 4095, 4096, 4097, 65_536, 72_000, 131_072, 131_073, 300_000];
    for (const size of sizes) {
      for (const start of [0, 1, 7, 999, 4999, 50_001]) {
        const end = Math.min(data.length, start + size);
        expect(countNewlines(data, start, end), `[${start}, ${end})`).toBe(naive(data, start, end));
      }
    }
  });

  it('uses the WebAssembly counter on this Node (SIMD present)', () => {
    countNewlines(Buffer.alloc(8192, 10), 0, 8192);
    expect(newlineCounterKind()).toBe('wasm');
  });
});
