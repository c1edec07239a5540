import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readProcBytes, readProcText } from '../src/proc-read.js';
import { HAS_PROCFS } from '../src/proc-scan.js';

describe.runIf(HAS_PROCFS)('reads of /proc files through one kept buffer (issue 17)', () => {
  it('reads a small file whole, like readFileSync', () => {
    expect(readProcText('/proc/self/stat')?.split(' ')[0]).toBe(String(process.pid));
    expect(readProcText('/proc/sys/kernel/pid_max')).toBe(readFileSync('/proc/sys/kernel/pid_max', 'latin1'));
  });

  it('reads a file larger than its buffer whole, and a small one correctly after it', () => {
    const big = readFileSync('/proc/self/maps', 'latin1');
    expect(big.length).toBeGreaterThan(8 * 1024);
    const read = readProcText('/proc/self/maps')!;
    // the maps may change between the two reads: same start, comparable length
    expect(read.slice(0, 200)).toBe(big.slice(0, 200));
    expect(read.length).toBeGreaterThan(8 * 1024);
    expect(readProcText('/proc/sys/kernel/pid_max')).toBe(readFileSync('/proc/sys/kernel/pid_max', 'latin1'));
  });

  it('returns a copy of the bytes, not a view of the buffer it reuses', () => {
    const first = readProcBytes('/proc/self/environ')!;
    const copy = Buffer.from(first);
    readProcText('/proc/self/stat');
    expect(first.equals(copy)).toBe(true);
    expect(first.equals(readFileSync('/proc/self/environ'))).toBe(true);
  });

  it('returns null for a file that cannot be read', () => {
    expect(readProcText('/proc/999999999/stat')).toBeNull();
    expect(readProcBytes('/proc/999999999/environ')).toBeNull();
  });
});
