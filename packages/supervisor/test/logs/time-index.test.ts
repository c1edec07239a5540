import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listLogSources, scanSource } from '../../src/log-insights/log-scan.js';
import {
  readTimeIndex,
  readTimeIndexTail,
  startOffsetFor,
  TimeCursor,
} from '../../src/log-insights/time-lookup.js';
import { ARRIVAL_KEY_STEP_MS, ArrivalOrder } from '../../src/logs/arrival-order.js';
import { FileWriter } from '../../src/logs/file-writer.js';
import { pruneRotated } from '../../src/logs/log-rotation.js';
import {
  TIME_INDEX_ENTRY_BYTES,
  TIME_INDEX_RUN_ENTRIES_PER_SECOND,
  TIME_INDEX_RUN_STEP_MS,
  TimeIndexWriter,
  timeIndexPath,
} from '../../src/logs/time-index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-tidx-'));
  dirs.push(dir);
  return join(dir, 'app-out.log');
}

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

describe('the time index beside a log file', () => {
  it('is sparse: one entry per new minute, per second with 4 KiB, per 64 KiB, or after a pause', async () => {
    const log = tempLog();
    const index = new TimeIndexWriter(log);
    index.note(0, T0); // first write: an entry
    index.note(100, T0 + 10); // same second, few bytes: none
    index.note(200, T0 + 1500); // a second later but < 4 KiB: none
    index.note(5000, T0 + 2600); // a second later and 4 KiB: an entry
    index.note(5100, T0 + 2700); // none
    index.note(5100 + 64 * 1024, T0 + 2800); // 64 KiB: an entry
    index.note(80_000, T0 + 60_000); // a new minute (after a pause): the end of the burst before, and an entry
    index.note(80_100, T0 + 65_000); // after a pause of 5 s: the end of the write before, and an entry
    index.close();
    expect(statSync(timeIndexPath(log)).size).toBe(7 * TIME_INDEX_ENTRY_BYTES);
    const read = await readTimeIndex(log);
    expect([...read.offsets]).toEqual([0, 5000, 5100 + 64 * 1024, 80_000, 80_000, 80_100, 80_100]);
    expect([...read.times]).toEqual([
      T0,
      T0 + 2600,
      T0 + 2800,
      T0 + 2800,
      T0 + 60_000,
      T0 + 60_000,
      T0 + 65_000,
    ]);
    expect(startOffsetFor(read, T0 + 2700)).toBe(5000);
    expect(startOffsetFor(read, T0 - 1)).toBe(0);
  });

  it('gives what a file held when it was opened its modification time in whole ms, like every arrival', async () => {
    const log = tempLog();
    const index = new TimeIndexWriter(log);
    // the kernel's time has a fraction; a line arriving later in the same ms is keyed T0 + 5 by Date.now()
    index.resume(100, T0 + 5.7);
    index.note(100, T0 + 5, true);
    index.close();
    const read = await readTimeIndex(log);
    expect([...read.times][0]).toBe(T0 + 5);
  });

  it('gives lines a time interpolated within the minute of the entry before them', () => {
    const index = { offsets: new Float64Array([100, 1100]), times: new Float64Array([T0, T0 + 1000]) };
    const cursor = new TimeCursor(index, T0 + 5000, 2100);
    expect(cursor.at(50)).toBeUndefined();
    expect(cursor.at(100)).toBe(T0);
    expect(cursor.at(600)).toBe(T0 + 500);
    expect(cursor.at(1600)).toBe(T0 + 3000);
    const late = new TimeCursor(
      { offsets: new Float64Array([0]), times: new Float64Array([T0 + 59_000]) },
      T0 + 600_000,
      1000,
    );
    expect(late.at(999)).toBe(T0 + 59_999);
  });

  it('keeps only the entries after the offsets went back (a file emptied behind the daemon)', async () => {
    const log = tempLog();
    const data = Buffer.alloc(3 * TIME_INDEX_ENTRY_BYTES);
    [
      [500, T0],
      [900, T0 + 1],
      [0, T0 + 2],
    ].forEach(([offset, ts], i) => {
      data.writeDoubleLE(offset!, i * 16);
      data.writeDoubleLE(ts!, i * 16 + 8);
    });
    writeFileSync(timeIndexPath(log), data);
    const read = await readTimeIndex(log);
    expect([...read.offsets]).toEqual([0]);
  });

  it('gets an entry where each run of one stream starts, and one where a longer run ended', async () => {
    const log = tempLog();
    const index = new TimeIndexWriter(log);
    index.note(0, T0, true); // the first run
    index.note(100, T0 + 0.5); // same run, same millisecond: none
    index.note(200, T0 + 3, true); // the other stream wrote meanwhile: the run before ended at T0 + 0.5
    index.note(300, T0 + 3 + 1 / 1024, true); // a one-batch run before: no end entry
    index.close();
    const read = await readTimeIndex(log);
    expect([...read.offsets]).toEqual([0, 200, 200, 300]);
    expect([...read.times]).toEqual([T0, T0 + 0.5, T0 + 3, T0 + 3 + 1 / 1024]);
    // a tail orders lines by the entry at or before them; it shows whole milliseconds
    const cursor = new TimeCursor(read, T0 + 10, 400);
    expect(cursor.keyAt(150)).toBe(T0);
    expect(cursor.at(300)).toBe(T0 + 3);
    expect(cursor.keyAt(350)).toBe(T0 + 3 + 1 / 1024);
  });

  it('gives runs entries of their own up to 100 a second, then one per 10 ms: a file switched at every line stays small', async () => {
    expect(TIME_INDEX_RUN_ENTRIES_PER_SECOND).toBe(100);
    expect(TIME_INDEX_RUN_STEP_MS).toBe(10);
    const log = tempLog();
    const index = new TimeIndexWriter(log);
    // one 50-byte line of this file every 0.5 ms, each after a line of the other file: 2,000 runs a second
    for (let i = 0; i < 4000; i += 1) index.note(i * 50, T0 + i * 0.5, true);
    index.close();
    const read = await readTimeIndex(log);
    // each second: its first 100 runs (50 ms), then the first run of each of its 95 other 10 ms steps;
    // and where the second second's runs start, the end of the lines before (they arrived by T0 + 999.5)
    expect(read.offsets.length).toBe(2 * (100 + 95) + 1);
    expect(read.times[195]).toBe(T0 + 999.5);
    expect([...read.times.slice(98, 103)]).toEqual([T0 + 49, T0 + 49.5, T0 + 50, T0 + 60, T0 + 70]);
    // a line of a run without an entry is ordered by the run of its 10 ms step that has one
    const cursor = new TimeCursor(read, T0 + 2000, 4000 * 50);
    expect(cursor.keyAt(105 * 50)).toBe(T0 + 50);
    expect(cursor.keyAt(2000 * 50)).toBe(T0 + 1000);
    expect(cursor.keyAt(2001 * 50)).toBe(T0 + 1000.5);
  });

  it('is read from its end down to the entry a tail needs, and not before the offsets went back', async () => {
    const log = tempLog();
    const entries = [
      [800, T0],
      [0, T0 + 1],
      ...Array.from({ length: 10_000 }, (_, i) => [100 * (i + 1), T0 + 2 + i]),
    ];
    const data = Buffer.alloc(entries.length * TIME_INDEX_ENTRY_BYTES);
    entries.forEach(([offset, ts], i) => {
      data.writeDoubleLE(offset!, i * 16);
      data.writeDoubleLE(ts!, i * 16 + 8);
    });
    writeFileSync(timeIndexPath(log), data);
    const tail = await readTimeIndexTail(log, 999_950);
    expect([...tail.offsets]).toEqual([999_900, 1_000_000]);
    const whole = await readTimeIndexTail(log, 0);
    expect(whole.offsets.length).toBe(10_001);
    expect(whole.offsets[0]).toBe(0);
    expect((await readTimeIndexTail(join(log, 'missing'), 0)).offsets.length).toBe(0);
  });

  it('orders the batches of two streams within one millisecond by their arrival', () => {
    const order = new ArrivalOrder();
    expect(order.key(T0, 'out')).toBe(T0);
    expect(order.isSwitch).toBe(true);
    expect(order.key(T0, 'out')).toBe(T0);
    expect(order.isSwitch).toBe(false);
    expect(order.key(T0, 'err')).toBe(T0 + ARRIVAL_KEY_STEP_MS);
    expect(order.key(T0, 'out')).toBe(T0 + 2 * ARRIVAL_KEY_STEP_MS);
    expect(order.key(T0 + 1, 'err')).toBe(T0 + 1);
    expect(order.key(T0 - 5000, 'out')).toBe(T0 - 5000); // a clock set back: the time itself
    // past 1023 switches in one millisecond the keys tie instead of reaching the next one
    for (let i = 0; i < 2000; i += 1) order.key(T0, i % 2 === 0 ? 'err' : 'out');
    expect(order.key(T0, 'err')).toBeLessThan(T0 + 1);
  });

  it('follows its log file through a rotation, a truncate, and the pruning of rotated files', async () => {
    const log = tempLog();
    const writer = new FileWriter({
      path: log,
      highWaterBytes: 1 << 20,
      rotation: { maxBytes: 1024, compress: false, retain: 1 },
    });
    const line = Buffer.from(`${'x'.repeat(99)}\n`);
    for (let i = 0; i < 30; i += 1) writer.write(line, 'out', 1, T0 + i * 1000);
    await writer.settled();
    writer.flushTimeIndex();
    const rotated = (await import('../../src/logs/log-rotation.js')).listRotated;
    const files = await rotated(log);
    expect(files.length).toBeGreaterThan(0);
    expect(existsSync(timeIndexPath(files[0]!.path))).toBe(true);
    expect(existsSync(timeIndexPath(log))).toBe(true);
    await writer.truncate();
    expect(existsSync(timeIndexPath(log))).toBe(false);
    await pruneRotated(log, 0);
    expect(existsSync(timeIndexPath(files[0]!.path))).toBe(false);
    await writer.close();
  });
});

/** Lines of the files of `outPath` whose arrival time is at or after `since`, as `velos logs --since` counts them. */
async function linesSince(outPath: string, since: number): Promise<string[]> {
  const errPath = `${outPath}.err`;
  const sources = (await listLogSources({ outPath, errPath }, { since })).filter((s) => s.stream === 'out');
  const lines: string[] = [];
  for (const source of sources) {
    await scanSource(source, { since, deadline: Date.now() + 60_000 }, (data, start, end) => {
      lines.push(data.toString('utf8', start, end));
    });
  }
  return lines;
}

/** `count` lines of about 110 bytes, numbered from `from`, tagged `tag`. */
function burst(tag: string, from: number, count: number): Buffer {
  let text = '';
  for (let n = from; n < from + count; n += 1) text += `${tag} ${n} ${'p'.repeat(100)}\n`;
  return Buffer.from(text);
}

describe('the time index between two bursts of output (a --since window)', () => {
  // Phase one arrives 8 s ago, phase two 3 s ago: a window from 5 s ago holds phase two only.
  for (const maxBytes of [undefined, 64 * 1024, 10 * 1024]) {
    it(`counts only the later burst, none of the earlier one (log_max_size ${maxBytes ?? 'none'})`, async () => {
      const log = tempLog();
      const now = Date.now();
      const writer = new FileWriter({
        path: log,
        highWaterBytes: 1 << 26,
        rotation: maxBytes === undefined ? {} : { maxBytes, compress: false, retain: 1000 },
      });
      // pipe reads of up to 64 KiB, the way a flood arrives; the phases are not a multiple of the limit
      for (let n = 1; n <= 2000; n += 500) writer.write(burst('one', n, 500), 'out', 500, now - 8000 + n);
      for (let n = 1; n <= 2000; n += 300) {
        const count = Math.min(300, 2001 - n);
        writer.write(burst('two', n, count), 'out', count, now - 3000 + n);
      }
      await writer.settled();
      writer.flushTimeIndex();
      const lines = await linesSince(log, now - 5000);
      expect(lines.filter((line) => line.startsWith('one')).length).toBe(0);
      expect(lines.length).toBe(2000);
      await writer.close();
    });
  }

  it('ends the lines an earlier writer left at the file time, so a new writer after a pause does not stretch them', async () => {
    const log = tempLog();
    const now = Date.now();
    const first = new FileWriter({ path: log, highWaterBytes: 1 << 26 });
    first.write(burst('one', 1, 1000), 'out', 1000, now - 8000);
    first.write(burst('one', 1001, 1000), 'out', 1000, now - 7500);
    await first.close();
    // the file was last written 7 s ago, by a daemon that is gone
    const written = new Date(now - 7000);
    utimesSync(log, written, written);
    const second = new FileWriter({ path: log, highWaterBytes: 1 << 26 });
    second.write(burst('two', 1, 1000), 'out', 1000, now - 3000);
    await second.settled();
    second.flushTimeIndex();
    const lines = await linesSince(log, now - 5000);
    expect(lines.filter((line) => line.startsWith('one')).length).toBe(0);
    expect(lines.length).toBe(1000);
    await second.close();
  });
});
