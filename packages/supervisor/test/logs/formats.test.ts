import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, fileLines, Harness } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('file formats', () => {
  it('writes JSON Lines records with ts, lvl, pid, msg and src', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const errPath = join(dir, 'err.log');
    const logs = harness.pipeline({
      id: 1,
      name: 'json',
      outPath,
      errPath,
      format: 'json',
      ringLines: 10,
      classify: (line, stream) => (line === 'line 7' ? 'warn' : stream === 'err' ? 'error' : 'info'),
    });
    const startedAt = Date.now();
    const out = harness.spawn('chatty.js', { COUNT: '500', RATE: '0' });
    const err = harness.spawn('chatty.js', { COUNT: '20', RATE: '0', STREAM: 'err' });
    harness.capture(logs, out);
    harness.capture(logs, err);
    await Promise.all([exited(out), exited(err)]);
    await logs.drained();
    const finishedAt = Date.now();

    const check = async (path: string, count: number, pid: number, src: 'out' | 'err') => {
      const records = (await fileLines(path)).map((text) => JSON.parse(text) as Record<string, unknown>);
      expect(records).toHaveLength(count);
      records.forEach((record, i) => {
        expect(Object.keys(record)).toEqual(['ts', 'lvl', 'pid', 'msg', 'src']);
        expect(record.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        const ts = Date.parse(record.ts as string);
        expect(ts).toBeGreaterThanOrEqual(startedAt);
        expect(ts).toBeLessThanOrEqual(finishedAt);
        const lvl = i === 6 ? 'warn' : src === 'err' ? 'error' : 'info';
        expect(record).toMatchObject({ lvl, pid, msg: `line ${i + 1}`, src });
      });
    };
    await check(outPath, 500, out.pid, 'out');
    await check(errPath, 20, err.pid, 'err');

    const tail = await logs.tail({ lines: 30, stream: 'err' });
    expect(tail.map((line) => line.line)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));
    expect(tail.every((line) => line.pid === err.pid && line.stream === 'err')).toBe(true);
  });

  it('escapes what JSON needs escaped and reads it back', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 2,
      name: 'esc',
      outPath,
      errPath: outPath,
      format: 'json',
      ringLines: 0,
    });
    const tricky = ['quote " and \\ backslash', 'tab\there', 'unicode é ✓ 😀', '{"looks":"like json"}'];
    for (const line of tricky) logs.note('err', line);
    await logs.drained();

    const records = (await fileLines(outPath)).map(
      (text) => JSON.parse(text) as { msg: string; src: string },
    );
    expect(records.map((record) => record.msg)).toEqual(tricky);
    expect(records.every((record) => record.src === 'err')).toBe(true);
    const tail = await logs.tail({ lines: 10, stream: 'err' });
    expect(tail.map((line) => line.line)).toEqual(tricky);
    expect(await logs.tail({ lines: 10, stream: 'out' })).toEqual([]);
  });

  it.each([
    ['iso', /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (line \d+)$/],
    [
      'YYYY-MM-DD HH:mm:ss.SSS Z',
      /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{2}:\d{2}) (line \d+)$/,
    ],
  ])('prefixes plain lines with the time in the %s format and reads it back', async (dateFormat, shape) => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 3,
      name: 'dated',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      dateFormat,
      ringLines: 5,
    });
    const startedAt = Date.now();
    const child = harness.spawn('chatty.js', { COUNT: '3000', RATE: '0' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    const finishedAt = Date.now();

    const lines = await fileLines(outPath);
    expect(lines).toHaveLength(3000);
    lines.forEach((line, i) => {
      const match = shape.exec(line);
      expect(match?.[2]).toBe(`line ${i + 1}`);
    });

    const tail = await logs.tail({ lines: 3000, stream: 'out' });
    expect(tail.map((line) => line.line)).toEqual(lines.map((_, i) => `line ${i + 1}`));
    const prefixTime = (line: string): number => {
      const prefix = shape.exec(line)![1]!;
      return Date.parse(dateFormat === 'iso' ? prefix : prefix.replace(' ', 'T').replace(' ', ''));
    };
    // lines beyond the ring get the time parsed from their prefix, ring lines their capture time: the same ms
    expect(tail.map((line) => line.ts)).toEqual(lines.map(prefixTime));
    expect(tail[0]!.ts).toBeGreaterThanOrEqual(startedAt);
    expect(tail.at(-1)!.ts).toBeLessThanOrEqual(finishedAt);
  });
});
