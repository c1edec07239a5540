import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type LogSource, listLogSources, scanSource } from '../../src/log-insights/log-scan.js';
import { newestOf, readFairly } from '../../src/log-insights/read-fairly.js';
import {
  FIRST_PART_BYTES,
  MAX_PART_BYTES,
  planReads,
  type ReadPart,
} from '../../src/log-insights/read-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-read-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A source of `bytes` bytes with an index entry every 64 KiB, one second apart from `t0`. */
function source(path: string, bytes: number, t0 = 1_000_000): LogSource {
  const count = Math.ceil(bytes / 65_536);
  const offsets = Float64Array.from({ length: count }, (_, i) => i * 65_536);
  const times = Float64Array.from({ length: count }, (_, i) => t0 + i * 1000);
  return {
    path,
    stream: 'out',
    isCompressed: false,
    endTs: t0 + count * 1000,
    bytes,
    index: { offsets, times },
  };
}

describe('planReads', () => {
  it('cuts a file into parts from its end, newest first, each 4 times the one after it (at most 16 MiB)', () => {
    const bytes = 100 * 1024 * 1024;
    const [parts] = planReads([{ source: source('a', bytes), app: 0 }], 1, {});
    const sizes = parts!.map((part) => (part.to === Number.POSITIVE_INFINITY ? bytes : part.to) - part.from);
    expect(sizes.slice(0, 6)).toEqual([1, 4, 16, 64, 256, 256].map((k) => k * 65_536));
    expect(parts!.map((part) => part.isNewest)).toEqual(parts!.map((_, i) => i === 0));
    expect(Math.max(...sizes)).toBe(MAX_PART_BYTES);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(bytes);
    // contiguous, from the end (the newest part reads on to whatever was written since)
    expect(parts![0]!.to).toBe(Number.POSITIVE_INFINITY);
    for (let i = 1; i < parts!.length; i += 1) expect(parts![i]!.to).toBe(parts![i - 1]!.from);
    expect(parts!.at(-1)!.from).toBe(0);
    // the time of each part's newest line is bounded by the index entry at its end
    expect(parts![1]!.endTs).toBe(1_000_000 + ((bytes - FIRST_PART_BYTES) / 65_536) * 1000);
    // ranks: oldest first
    expect(parts!.map((part) => part.rank)).toEqual(parts!.map((_, i) => parts!.length - 1 - i));
  });

  it("bounds a part past the index's last entry by the file's last write, and says nothing without an index", () => {
    const file = source('a', 1024 * 1024);
    const short = {
      ...file,
      index: { offsets: file.index.offsets.slice(0, 2), times: file.index.times.slice(0, 2) },
    };
    const [parts] = planReads([{ source: short, app: 0 }], 1, {});
    expect(parts!.map((part) => part.endTs)).toEqual(parts!.map(() => file.endTs));
    const none = { ...file, index: { offsets: new Float64Array(0), times: new Float64Array(0) } };
    const [unknown] = planReads([{ source: none, app: 0 }], 1, {});
    expect(unknown!.map((part) => part.endTs)).toEqual(
      unknown!.map((_, i) => (i === 0 ? file.endTs : undefined)),
    );
  });

  it('keeps to --since and --until through the time index', () => {
    const bytes = 10 * 1024 * 1024;
    const since = 1_000_000 + 20 * 1000;
    const until = 1_000_000 + 100 * 1000;
    const [parts] = planReads([{ source: source('a', bytes), app: 0 }], 1, { since, until });
    expect(parts![0]!.to).toBe(101 * 65_536);
    expect(parts!.at(-1)!.from).toBe(19 * 65_536);
  });

  it("interleaves an app's files by the time of their parts, and keeps each app apart", () => {
    const out = source('out', 3 * 1024 * 1024, 1_000_000);
    const err = source('err', 3 * 1024 * 1024, 1_010_000);
    const other = source('other', 1024, 1_000_000);
    const plans = planReads(
      [
        { source: out, app: 0 },
        { source: err, app: 0 },
        { source: other, app: 1 },
      ],
      2,
      {},
    );
    const ends = plans[0]!.map((part) => part.endTs!);
    expect(ends).toEqual([...ends].sort((a, b) => b - a));
    expect(new Set(plans[0]!.map((part) => part.source.path))).toEqual(new Set(['out', 'err']));
    expect(plans[1]!.map((part) => part.source.path)).toEqual(['other']);
  });
});

describe('scanSource over parts', () => {
  it('visits each line once over the parts of a file, whatever the cut, and resumes where a deadline stopped it', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 400_000; i += 1) lines.push(`line ${i} ${'x'.repeat(i % 23)}`);
    const path = join(dir, 'parts.log');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const [file] = await listLogSources({ outPath: path, errPath: join(dir, 'parts-err.log') }, {});
    const [parts] = planReads([{ source: file!, app: 0 }], 1, {});
    expect(parts!.length).toBeGreaterThan(2);
    const seen: string[][] = [];
    for (const part of parts!) {
      const mine: string[] = [];
      // the first read of each part is stopped at once, then it goes on from where it stopped
      const first = await scanSource(
        file!,
        { deadline: 0 },
        (data, start, end) => {
          mine.push(data.toString('latin1', start, end));
        },
        undefined,
        part,
      );
      expect(first.completed).toBe(false);
      const rest = await scanSource(
        file!,
        { deadline: Date.now() + 60_000 },
        (data, start, end) => {
          mine.push(data.toString('latin1', start, end));
        },
        undefined,
        { from: first.resumeAt!, to: part.to },
      );
      expect(rest.completed).toBe(true);
      seen.unshift(mine);
    }
    expect(seen.flat()).toEqual(lines);
  });
});

describe('readFairly', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Reads with a clock that moves `costMs` per part; the parts each app read. */
  async function simulate(partsPerApp: number[], budgetMs: number, costMs = 10): Promise<number[]> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const plans = partsPerApp.map((count, app) =>
      Array.from(
        { length: count },
        (_, i): ReadPart => ({
          source: source(`app${app}`, 1),
          app,
          from: 0,
          to: 1,
          endTs: count - i,
          rank: 0,
          isNewest: false,
        }),
      ),
    );
    const read = partsPerApp.map(() => 0);
    await readFairly(plans, budgetMs, async (part, deadline) => {
      if (Date.now() + costMs > deadline) {
        vi.setSystemTime(deadline);
        return false;
      }
      vi.setSystemTime(Date.now() + costMs);
      read[part.app]! += 1;
      return true;
    });
    return read;
  }

  it('gives the share an app left unused to the apps still to read, whatever their place', async () => {
    // a large app first and a small one: the large one gets all the small one left
    expect(await simulate([1000, 2], 200)).toEqual([18, 2]);
    // the other way round: the same
    expect(await simulate([2, 1000], 200)).toEqual([2, 18]);
    // three large apps: equal shares
    expect(await simulate([1000, 1000, 1000], 300)).toEqual([10, 10, 10]);
    // two large apps around small ones: what the small ones leave is shared by both, not given to the last
    expect(await simulate([1000, 1, 1, 1, 1000], 500)).toEqual([23, 1, 1, 1, 23]);
    // everything read: no part left
    expect(await simulate([3, 4], 1000)).toEqual([3, 4]);
  });

  it('says when the index cannot tell from when an app was read whole', () => {
    expect(newestOf([3, 7, 5])).toBe(7);
    expect(newestOf([3, undefined])).toBeUndefined();
  });
});
