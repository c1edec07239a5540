import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { searchLogs } from '../../src/log-insights/log-search.js';
import type { LogQueryTarget } from '../../src/log-insights/log-target.js';
import { orderTime } from '../../src/log-insights/time-lookup.js';
import { createDateFormat } from '../../src/logs/date-format.js';
import { timeIndexPath } from '../../src/logs/time-index.js';
import { plainTarget } from './query-target.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Within one second: 10 lines, out and err in turn, 20 ms apart. */
const T0 = new Date(2026, 11, 3, 10, 0, 0, 100).getTime();

/** Writes `lines` ({text, ts}) to `path` behind `prefix` each, and a time index entry per line. */
function writeLog(path: string, lines: { text: string; ts: number }[], prefix: (ts: number) => string): void {
  let text = '';
  const index = Buffer.alloc(lines.length * 16);
  lines.forEach((line, i) => {
    index.writeDoubleLE(Buffer.byteLength(text), i * 16);
    index.writeDoubleLE(line.ts, i * 16 + 8);
    text += `${prefix(line.ts)}${line.text}\n`;
  });
  writeFileSync(path, text);
  writeFileSync(timeIndexPath(path), index);
}

/** An app whose lines `line 0` … `line 9` alternate between out (even) and err (odd) within one second. */
function interleaved(name: string, dateFormat?: string): LogQueryTarget {
  const format = dateFormat === undefined ? undefined : createDateFormat(dateFormat);
  const prefix = (ts: number) => (format === undefined ? '' : `${format.format(ts)} `);
  const all = Array.from({ length: 10 }, (_, i) => ({ text: `line ${i} x`, ts: T0 + i * 20 }));
  const outPath = join(dir, `${name}-out.log`);
  const errPath = join(dir, `${name}-err.log`);
  writeLog(
    outPath,
    all.filter((_, i) => i % 2 === 0),
    prefix,
  );
  writeLog(
    errPath,
    all.filter((_, i) => i % 2 === 1),
    prefix,
  );
  return plainTarget(name, outPath, errPath, dateFormat);
}

describe('searchLogs merges out and err lines in arrival order', () => {
  for (const dateFormat of [undefined, 'YYYY-MM-DD HH:mm:ss', 'YYYY-MM-DD HH:mm']) {
    it(`within one second (${dateFormat ?? 'no time prefix'})`, async () => {
      const target = interleaved(`app-${dateFormat?.length ?? 0}`, dateFormat);
      const found = await searchLogs(target, { target: target.name, grep: 'line' });
      expect(found.lines.map((l) => l.line)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i} x`));
      expect(found.lines.map((l) => l.stream)).toEqual(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? 'err' : 'out')),
      );
      // each line shows its own time: the prefix's when there is one
      if (dateFormat === 'YYYY-MM-DD HH:mm:ss') expect(found.lines[9]!.ts).toBe(T0 - 100);
    });
  }
});

describe('orderTime', () => {
  it('keeps the arrival time from the index within the span the written time allows', () => {
    expect(orderTime(1000, 1234, 1000)).toBe(1234);
    expect(orderTime(1000, 2500, 1000)).toBe(1999);
    expect(orderTime(1000, 400, 1000)).toBe(1000);
    expect(orderTime(1000, undefined, 1000)).toBe(1000);
    expect(orderTime(null, 1234, 1000)).toBe(1234);
    expect(orderTime(1007, 1234, 1)).toBe(1007);
  });
});

describe('searchLogs withBytes', () => {
  /** An app whose out file holds a valid line, an invalid UTF-8 one and a valid one, behind `prefix`. */
  function mixed(name: string, prefix: string): LogQueryTarget {
    const outPath = join(dir, `${name}-out.log`);
    const invalid = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x20, 0x6d, 0x61, 0x74, 0x63, 0x68]);
    writeFileSync(
      outPath,
      Buffer.concat([
        Buffer.from(`${prefix}ok match\n${prefix}`),
        invalid,
        Buffer.from(`\r\n${prefix}é match\n`),
      ]),
    );
    return {
      name,
      id: 0,
      outPath,
      errPath: join(dir, `${name}-err.log`),
      format: 'raw' as LogQueryTarget['format'],
      ...(prefix === '' ? {} : { dateFormat: 'YYYY-MM-DD HH:mm:ss' }),
      hasLiveEngine: true,
      flushTimeIndex: () => {},
    };
  }

  for (const prefix of ['', '2026-12-03 10:00:00 ']) {
    it(`gives the bytes of lines that are not valid UTF-8, only those (${prefix === '' ? 'no prefix' : 'time prefix'})`, async () => {
      const target = mixed(`bytes-${prefix.length}`, prefix);
      const found = await searchLogs(target, { target: target.name, grep: 'match', withBytes: true });
      expect(found.lines.map((l) => l.line)).toEqual(['ok match', 'bad\uFFFD\uFFFD match', 'é match']);
      expect(
        found.lines.map((l) => (l.bytes === undefined ? undefined : Buffer.from(l.bytes).toString('hex'))),
      ).toEqual([undefined, '626164fffe206d61746368', undefined]);
      const plain = await searchLogs(target, { target: target.name, grep: 'match' });
      expect(plain.lines.some((l) => l.bytes !== undefined)).toBe(false);
    });
  }
});

describe('searchLogs on coloured lines', () => {
  it('matches a pattern against the text without escape codes, and a pattern naming a code against the raw text', async () => {
    const outPath = join(dir, 'coloured-out.log');
    const errPath = join(dir, 'coloured-err.log');
    const texts = ['\x1b[31mERROR\x1b[39m boom', 'ERROR plain boom', '\x1b[32mINFO\x1b[39m fine'];
    writeLog(
      outPath,
      texts.map((text, i) => ({ text, ts: T0 + i * 20 })),
      () => '',
    );
    writeLog(errPath, [], () => '');
    const target = plainTarget('coloured', outPath, errPath);
    const found = await searchLogs(target, { target: target.name, grep: 'ERROR( plain)? boom' });
    expect(found.lines.map((l) => l.line)).toEqual([texts[0], texts[1]]);
    const byCode = await searchLogs(target, { target: target.name, grep: '\\x1b\\[32m' });
    expect(byCode.lines.map((l) => l.line)).toEqual([texts[2]]);
  });
});

describe('searchLogs over several apps', () => {
  /** An app (process id `id`) whose out file holds `line <i>` for each i of `indexes`, 20 ms apart from T0. */
  function app(name: string, id: number, indexes: number[], dateFormat?: string): LogQueryTarget {
    const format = dateFormat === undefined ? undefined : createDateFormat(dateFormat);
    const prefix = (ts: number) => (format === undefined ? '' : `${format.format(ts)} `);
    const outPath = join(dir, `${name}-out.log`);
    writeLog(
      outPath,
      indexes.map((i) => ({ text: `line ${i} ${i % 3 === 0 ? 'ERROR failed' : 'ok'}`, ts: T0 + i * 20 })),
      prefix,
    );
    return {
      name,
      id,
      outPath,
      errPath: join(dir, `${name}-err.log`),
      format: 'raw' as LogQueryTarget['format'],
      ...(dateFormat === undefined ? {} : { dateFormat }),
      hasLiveEngine: true,
      flushTimeIndex: () => {},
    };
  }
  const evens = Array.from({ length: 10 }, (_, i) => i * 2);
  const odds = evens.map((i) => i + 1);

  it('merges the matches of the apps by time, each line under its app', async () => {
    const api = app('multi-api', 0, evens);
    const worker = app('multi-worker', 3, odds, 'YYYY-MM-DD HH:mm:ss');
    const found = await searchLogs([api, worker], { target: 'all', grep: 'line' });
    expect(found.lines.map((l) => l.line.replace(/ (ok|ERROR failed)$/, ''))).toEqual(
      Array.from({ length: 20 }, (_, i) => `line ${i}`),
    );
    expect(found.lines.map((l) => `${l.name}/${l.id}`)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? 'multi-worker/3' : 'multi-api/0')),
    );
    expect(found.scanned.lines).toBe(20);
    expect([...found.scanned.files].sort()).toEqual([api.outPath, worker.outPath].sort());
    expect(found.cut).toBeUndefined();
  });

  it('keeps the newest `limit` matches of all the apps together, and counts what it left out', async () => {
    const api = app('limit-api', 0, evens);
    const worker = app('limit-worker', 1, odds);
    const found = await searchLogs([api, worker], { target: 'all', grep: 'line', limit: 5 });
    expect(found.lines.map((l) => l.line)).toEqual([
      'line 15 ERROR failed',
      'line 16 ok',
      'line 17 ok',
      'line 18 ERROR failed',
      'line 19 ok',
    ]);
    expect(found.cut).toMatchObject({ limit: 5, omittedLines: 15 });
    const errors = await searchLogs([api, worker], { target: 'all', level: 'error' });
    expect(errors.lines.map((l) => `${l.name}: ${l.line}`)).toEqual(
      [0, 3, 6, 9, 12, 15, 18].map((i) => `${i % 2 ? 'limit-worker' : 'limit-api'}: line ${i} ERROR failed`),
    );
    // plain lines too carry the level they were judged at: `--level warn` tells warnings from errors
    expect(errors.lines.map((l) => l.lvl)).toEqual(Array(7).fill('error'));
    expect((await searchLogs([api, worker], { target: 'all', grep: 'line' })).lines[0]).not.toHaveProperty(
      'lvl',
    );
  });

  it('counts the matches left out of the files it read only: older files are not read, so at least that many', async () => {
    const recent = app('lower-recent', 0, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const old = app('lower-old', 1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // a current file ends when it was last written: after its last line, before the newer app's lines
    const lastWrite = new Date(T0 + 9 * 20 + 5);
    utimesSync(old.outPath, lastWrite, lastWrite);
    const found = await searchLogs([recent, old], { target: 'all', grep: 'line', limit: 5 });
    expect(found.lines.map((l) => l.line.split(' ')[1])).toEqual(['15', '16', '17', '18', '19']);
    // the old app's file ends before the oldest match kept: not read, its 10 matches not counted
    expect(found.scanned.files).toEqual([recent.outPath]);
    expect(found.cut).toMatchObject({ limit: 5, omittedLines: 5 });
  });

  it('shares one time budget: once it ran out, the other apps are not read', async () => {
    const api = app('budget-api', 0, evens);
    const worker = app('budget-worker', 1, odds);
    const start = Date.now();
    let calls = 0;
    // the first look at the clock sets the deadline; every later one is past it
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (calls++ === 0 ? start : start + 10_001));
    try {
      const found = await searchLogs([api, worker], { target: 'all', grep: 'line' });
      expect(found.scanned.isPartial).toBe(true);
      expect(found.scanned.files).toHaveLength(1);
      expect(new Set(found.lines.map((l) => l.name)).size).toBe(1);
    } finally {
      now.mockRestore();
    }
  });
});
