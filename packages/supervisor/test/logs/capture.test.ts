import { writev } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LINE_BYTES, type WritevFunction } from '../../src/logs/index.js';
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

  it('writes a partial final line as a line when the stream ends', async () => {
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
    // written at the end, or a second after it came (see the partial line tests below): once either way
    process.kill(child.pid, 'SIGKILL');
    await exited(child);
    await logs.drained();
    const lines = await fileLines(outPath);
    expect(lines).toEqual(['short line', `long:${'y'.repeat(100)}:end`, 'partial final line']);
    expect((await readFile(outPath, 'utf8')).endsWith('partial final line\n')).toBe(true);
    expect(logs.counters().out).toBe(3);
  });

  it.each([
    ['plain', undefined],
    ['time-prefixed', 'iso'],
  ])(
    'writes a partial line once its pipe is quiet for a second, and its rest as a line of its own (%s file)',
    async (_label, dateFormat) => {
      const dir = await harness.dir();
      const outPath = join(dir, 'out.log');
      const logs = harness.pipeline({
        id: 6,
        name: 'loading',
        outPath,
        errPath: join(dir, 'err.log'),
        format: 'plain',
        ...(dateFormat === undefined ? {} : { dateFormat }),
      });
      const live: string[] = [];
      logs.subscribe((batch) => live.push(...batch.map((line) => line.line)));
      // "Loading..." then 3 s of silence before "done": the partial line shows while the app still waits
      const child = harness.spawn('partial-line.js', { WAIT_MS: '3000', STAY: '1' });
      harness.capture(logs, child);
      const written = await waitFor(async () => {
        const text = await readFile(outPath, 'utf8');
        return text.includes('Loading...\n') && text;
      }, 'the partial line in the file');
      expect(written).not.toContain('done');
      expect(live).toEqual(['Loading...']);
      expect((await logs.tail({ lines: 10, stream: 'out' })).map((line) => line.line)).toEqual([
        'Loading...',
      ]);

      await waitFor(async () => (await readFile(outPath, 'utf8')).includes('after\n'), 'the rest');
      const expected = ['Loading...', 'done', 'after'];
      expect((await logs.tail({ lines: 10, stream: 'out' })).map((line) => line.line)).toEqual(expected);
      await waitFor(() => live.length === 3, 'three live lines');
      expect(live).toEqual(expected);
      const lines = await fileLines(outPath);
      // each piece is a line of the file, with a time prefix of its own
      if (dateFormat === undefined) expect(lines).toEqual(expected);
      else expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual(expected);
      expect(logs.counters().out).toBe(3);
    },
  );

  it('writes a line that trickles for longer than 5 s in pieces, losing no byte', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 7,
      name: 'dots',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    // a dot every 100 ms for 7 s: never a quiet second, so the line is cut 5 s after it began
    const child = harness.spawn('partial-line.js', { DOTS: '70', DOT_MS: '100' });
    harness.capture(logs, child);
    const early = await waitFor(async () => (await fileLines(outPath))[0], 'a first piece');
    expect(early.startsWith('Loading...')).toBe(true);
    await exited(child);
    await logs.drained();
    const lines = await fileLines(outPath);
    expect(lines.at(-1)).toBe('after');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((line) => line.length > 0)).toBe(true);
    expect(lines.join('')).toBe(`Loading...${'.'.repeat(70)}doneafter`);
  }, 30_000);

  it("never cuts a block-buffered writer's line, whose rest comes with its next block", async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 10,
      name: 'blocks',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    // 200 lines of 48–50 bytes in 4 KiB blocks 1.5 s apart: each block but the last ends inside a line
    const child = harness.spawn('block-buffered.js', { COUNT: '200', PAD: '40', BLOCK_MS: '1500' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    const pad = 'x'.repeat(40);
    expect(firstMismatch(await fileLines(outPath), 200, (i) => `line ${i + 1} ${pad}`)).toBe(-1);
    expect(logs.counters().out).toBe(200);
  }, 30_000);

  it('never cuts a line whose rest came while the daemon was busy past the quiet second', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    const logs = harness.pipeline({
      id: 9,
      name: 'busy',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
    });
    const live: string[] = [];
    logs.subscribe((batch) => live.push(...batch.map((line) => line.line)));
    const child = harness.spawn('partial-line.js', { WAIT_MS: '300', READY_ERR: '1', STAY: '1' });
    harness.capture(logs, child);
    await waitFor(() => live.includes('waiting'), '"Loading..." written');
    // the event loop is held for 1.5 s (in its check phase: the timers come next, before the reads); the
    // app ends its line meanwhile: it is read before any cut
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const until = Date.now() + 1500;
        while (Date.now() < until) {
          // busy
        }
        resolve();
      }),
    );
    await waitFor(async () => (await readFile(outPath, 'utf8')).includes('after\n'), 'the rest');
    expect(await fileLines(outPath)).toEqual(['Loading...done', 'after']);
  });

  it('never cuts a line while the reads wait for a slow disk (the rest is in the pipe)', async () => {
    const dir = await harness.dir();
    const outPath = join(dir, 'out.log');
    let writes = 0;
    // the first write takes 2.5 s: the reads stop once 64 KiB wait, a line cut off at the end of the last one
    const slowFirstWrite: WritevFunction = (fd, buffers, callback) => {
      writes += 1;
      if (writes === 1) setTimeout(() => writev(fd, buffers, callback), 2500);
      else writev(fd, buffers, callback);
    };
    const logs = harness.pipeline({
      id: 8,
      name: 'held',
      outPath,
      errPath: join(dir, 'err.log'),
      format: 'plain',
      writeHighWaterBytes: 64 * 1024,
      writev: slowFirstWrite,
    });
    const count = 5000;
    const child = harness.spawn('chatty.js', { COUNT: String(count), RATE: '0', PAD: '97' });
    harness.capture(logs, child);
    await exited(child);
    await logs.drained();
    const pad = 'x'.repeat(97);
    expect(firstMismatch(await fileLines(outPath), count, (i) => `line ${i + 1} ${pad}`)).toBe(-1);
    expect(logs.counters().out).toBe(count);
  }, 30_000);

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
