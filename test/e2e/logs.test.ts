import { appendFileSync, existsSync, statSync } from 'node:fs';
import { createClient } from '@velos/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  describeState,
  errLog,
  killChild,
  outLog,
  range,
  readLines,
  readPidFile,
  rssMb,
  sharedHome,
  spawnVelos,
  velos,
  velosOk,
  waitExited,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

/** Bytes of a file, 0 before it exists. */
function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * Polls `isDone` every `intervalMs` while the file at `path` grows; fails only once it has not grown for
 * `stallMs`. How fast an app and a loaded daemon write is no part of what a test proves (bench/ measures
 * it): at load 20 a follower that reads nothing cut the capture of chatty.js from ~9 to ~2–3 MiB/s.
 */
async function whileFileGrows(
  path: string,
  isDone: () => boolean,
  what: string,
  options: { intervalMs: number; stallMs?: number },
): Promise<void> {
  const stallMs = options.stallMs ?? 20_000;
  let size = fileSize(path);
  let grewAt = Date.now();
  while (!isDone()) {
    const now = fileSize(path);
    if (now > size) {
      size = now;
      grewAt = Date.now();
    } else if (Date.now() - grewAt > stallMs) {
      throw new Error(`waiting for ${what}: ${path} stayed at ${size} bytes for ${stallMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** Lines of the capture test: ~190 KB, several pipe buffers' worth. */
const FLOOD_LINES = 20_000;

/** The numbers N of every `line N` in a text, in order. */
function lineNumbers(text: string): number[] {
  return [...text.matchAll(/line (\d+)\b/g)].map((m) => Number(m[1]));
}

describe('log capture (LOG-1, LOG-2)', () => {
  // Tests that read only their own app's logs share one home and daemon; those that read or flush
  // every app's get their own.
  const shared = sharedHome();

  // 20k lines (~190 KB, three times the 64 KiB of a pipe) are read in many chunks as 200k were, at a tenth of the work
  it('writes 20k lines exactly once, in order', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'flood', '--no-autorestart'], {
      home,
      env: { COUNT: String(FLOOD_LINES), RATE: '0' },
    });
    await waitExited(home, 'flood');
    const lines = await waitFor(
      () => {
        const l = readLines(outLog(home, 'flood'));
        return l.length >= FLOOD_LINES ? l : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: `${FLOOD_LINES} lines on disk` },
    );
    expect(lines.length).toBe(FLOOD_LINES);
    const wrong = lines.findIndex((line, i) => line !== `line ${i + 1}`);
    expect(wrong, `first wrong line at index ${wrong}: ${lines[wrong]}`).toBe(-1);
    expect(readLines(errLog(home, 'flood'))).toEqual([]);
  });

  it('sends stderr to the -err.log file', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'errs', '--no-autorestart'], {
      home,
      env: { COUNT: '50', RATE: '0', STREAM: 'err' },
    });
    await waitExited(home, 'errs');
    await waitFor(() => readLines(errLog(home, 'errs')).length === 50, { message: '50 lines in -err.log' });
    expect(readLines(errLog(home, 'errs'))).toEqual(range(1, 50).map((n) => `line ${n}`));
    expect(readLines(outLog(home, 'errs'))).toEqual([]);
  });

  it('keeps a 100 KiB line and a partial final line intact', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/long-line.js', '--name', 'long', '--no-autorestart'], { home });
    await waitExited(home, 'long');
    const expected = ['short line', `long:${'y'.repeat(100 * 1024)}:end`, 'partial final line'];
    const lines = await waitFor(
      () => {
        const l = readLines(outLog(home, 'long'));
        return l.length >= 3 ? l : undefined;
      },
      { message: 'three lines' },
    );
    expect(lines.length).toBe(3);
    expect(lines[0]).toBe(expected[0]);
    expect(lines[1]?.length).toBe(expected[1]!.length);
    expect(lines[1] === expected[1]).toBe(true);
    expect(lines[2]).toBe(expected[2]);
  });

  it('writes JSON lines with ts, lvl, pid, msg and src with --log-format json', async () => {
    const home = shared();
    await velosOk(
      ['start', 'fixtures/crash-after.js', '--name', 'jsonl', '--log-format', 'json', '--no-autorestart'],
      {
        home,
        env: { CRASH_AFTER_MS: '100' },
      },
    );
    await waitExited(home, 'jsonl');
    // an empty array is truthy: wait for a line, not for the file (the exit can be seen before the last write)
    const linesOf = (path: string) => (readLines(path).length > 0 ? readLines(path) : undefined);
    const out = await waitFor(() => linesOf(outLog(home, 'jsonl')), { message: 'a JSON line on stdout' });
    const err = await waitFor(() => linesOf(errLog(home, 'jsonl')), { message: 'a JSON line on stderr' });
    expect(out).toHaveLength(1);
    expect(err).toHaveLength(1);
    const records = [...out, ...err].map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) {
      expect(Object.keys(record)).toEqual(expect.arrayContaining(['ts', 'lvl', 'pid', 'msg', 'src']));
      expect(typeof record.lvl).toBe('string');
      expect(typeof record.src).toBe('string');
      expect(Number.isNaN(Date.parse(String(record.ts))), `ts ${String(record.ts)} is a date`).toBe(false);
    }
    const [started, crashed] = records as [Record<string, unknown>, Record<string, unknown>];
    const pid = Number(/started pid (\d+)/.exec(String(started.msg))?.[1]);
    expect(started.pid).toBe(pid);
    expect(crashed.pid).toBe(pid);
    expect(crashed.msg).toBe('crashing with exit code 1');
    expect(started.src).not.toBe(crashed.src);
  });

  it('prefixes each line with a timestamp with --time', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'stamped', '--time', '--no-autorestart'], {
      home,
      env: { COUNT: '3', RATE: '0' },
    });
    await waitExited(home, 'stamped');
    const lines = await waitFor(
      () => (readLines(outLog(home, 'stamped')).length >= 3 ? readLines(outLog(home, 'stamped')) : 0),
      { message: 'three lines' },
    );
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => {
      expect(line.endsWith(`line ${i + 1}`)).toBe(true);
      const prefix = line.slice(0, line.length - `line ${i + 1}`.length);
      expect(prefix).toMatch(/\d{2}:\d{2}:\d{2}/);
      expect(prefix).toMatch(/\d{4}-\d{2}-\d{2}/);
    });
  });

  it('writes stdout and stderr into one file with --merge-streams', async () => {
    const home = shared();
    await velosOk(
      ['start', 'fixtures/crash-after.js', '--name', 'merged', '--merge-streams', '--no-autorestart'],
      {
        home,
        env: { CRASH_AFTER_MS: '100' },
      },
    );
    await waitExited(home, 'merged');
    const [detail] = await describeState(home, 'merged');
    expect(detail?.outLogPath).toBe(detail?.errLogPath);
    const lines = await waitFor(
      () => (readLines(detail!.outLogPath).length >= 2 ? readLines(detail!.outLogPath) : 0),
      {
        message: 'both streams in the merged file',
      },
    );
    expect(lines.some((l) => l.includes('started pid'))).toBe(true);
    expect(lines.some((l) => l.includes('crashing with exit code 1'))).toBe(true);
  });
});

describe('velos logs and flush (LOG-3, LOG-4)', () => {
  // as above: a shared home for the tests that read only their own app
  const shared = sharedHome();

  it('--lines N returns the last N lines', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'tail', '--no-autorestart'], {
      home,
      env: { COUNT: '100', RATE: '0' },
    });
    await waitExited(home, 'tail');
    await waitFor(() => readLines(outLog(home, 'tail')).length === 100, { message: '100 lines' });
    const result = await velosOk(['logs', 'tail', '--lines', '5'], { home });
    expect(lineNumbers(result.stdout)).toEqual(range(96, 100));
  });

  it('--err and --out select the stream', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/crash-after.js', '--name', 'streams', '--no-autorestart'], {
      home,
      env: { CRASH_AFTER_MS: '100' },
    });
    await waitExited(home, 'streams');
    await waitFor(() => readLines(errLog(home, 'streams')).length === 1, { message: 'the stderr line' });
    const err = await velosOk(['logs', 'streams', '--err', '--lines', '10'], { home });
    expect(err.stdout).toContain('crashing with exit code 1');
    expect(err.stdout).not.toContain('started pid');
    const out = await velosOk(['logs', 'streams', '--out', '--lines', '10'], { home });
    expect(out.stdout).toContain('started pid');
    expect(out.stdout).not.toContain('crashing with exit code');
  });

  it('--json prints parseable lines, each with its level as REST gives it, also with --follow', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'jl', '--no-autorestart'], {
      home,
      env: { COUNT: '10', RATE: '0' },
    });
    await waitExited(home, 'jl');
    await waitFor(() => readLines(outLog(home, 'jl')).length === 10, { message: '10 lines' });
    const result = await velosOk(['logs', 'jl', '--json', '--lines', '3'], { home });
    const text = result.stdout.trim();
    const items: unknown[] = text.startsWith('[')
      ? (JSON.parse(text) as unknown[])
      : text.split('\n').map((l) => JSON.parse(l) as unknown);
    expect(items).toHaveLength(3);
    expect(lineNumbers(JSON.stringify(items))).toEqual([8, 9, 10]);
    // a plain app's lines carry no level of their own: the daemon judges them as it reads them
    expect(items.map((item) => (item as { lvl?: string }).lvl)).toEqual(['info', 'info', 'info']);
    const follower = spawnVelos(['logs', 'jl', '--json', '--follow', '--lines', '2'], { home });
    let seen = '';
    follower.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
    });
    try {
      const followed = await waitFor(
        () => {
          const lines = seen.split('\n').filter((line) => line.startsWith('{'));
          return lines.length >= 2 && lines.map((line) => JSON.parse(line) as { lvl?: string });
        },
        { message: 'two followed JSON lines' },
      );
      expect(followed.map((item) => item.lvl)).toEqual(['info', 'info']);
    } finally {
      killChild(follower);
    }
  });

  it('--follow streams new lines as they are written', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'live'], { home, env: { RATE: '5' } });
    await waitFor(() => readLines(outLog(home, 'live')).length >= 2, { message: 'first lines' });
    const before = Math.max(...lineNumbers(readLines(outLog(home, 'live')).join('\n')));
    const follower = spawnVelos(['logs', 'live', '--follow', '--lines', '0'], { home });
    let seen = '';
    follower.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
    });
    try {
      const fresh = await waitFor(() => lineNumbers(seen).find((n) => n > before + 2), {
        timeoutMs: 20_000,
        message: 'a new line on the follower',
      });
      expect(fresh).toBeGreaterThan(before + 2);
      expect(follower.exitCode).toBeNull();
    } finally {
      killChild(follower);
    }
  });

  it('--follow goes on across velos update (no line lost or twice), ends with a line at velos kill, starts no daemon', async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'tick'], { home, env: { TICK_MS: '50' } });
    await waitFor(() => lineNumbers(readLines(outLog(home, 'tick')).join('\n')).length >= 3, {
      message: 'first lines',
    });
    const follower = spawnVelos(['logs', 'tick', '--follow', '--lines', '5'], { home });
    let seen = '';
    let errors = '';
    follower.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
    });
    follower.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    const exited = new Promise<number | null>((resolve) => follower.once('exit', (code) => resolve(code)));
    await waitFor(() => lineNumbers(seen).length >= 8, { message: 'lines on the follower' });
    await velosOk(['update'], { home });
    const handedOver = Math.max(...lineNumbers(readLines(outLog(home, 'tick')).join('\n')));
    await waitFor(() => lineNumbers(seen).some((n) => n > handedOver + 10), {
      timeoutMs: 20_000,
      message: () => `lines after the update on the follower; stderr: ${errors}; stdout:\n${seen}`,
    });
    expect(follower.exitCode).toBeNull();
    const numbers = lineNumbers(seen);
    expect(numbers).toEqual(range(numbers[0]!, numbers.at(-1)!));
    expect(errors).not.toContain('closed while waiting');
    // the old daemon wrote every line it read before it was ended: none is missing from the file
    const inFile = lineNumbers(readLines(outLog(home, 'tick')).join('\n'));
    expect(inFile).toEqual(range(1, inFile.at(-1)!));

    await velosOk(['kill'], { home });
    expect(await exited).toBe(0);
    expect(errors).toContain('velos logs: the Velos daemon stopped; nothing more to follow');
    expect(readPidFile(home)).toBeNull();
  });

  // What a replaced daemon's late write does to the new one's file: lines it did not write there itself
  it('--lines shows a line another process appended to the log file once, and every line of the app', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/ticker.js', '--name', 'shared-file'], { home, env: { TICK_MS: '20' } });
    const log = outLog(home, 'shared-file');
    await waitFor(() => lineNumbers(readLines(log).join('\n')).length >= 30, { message: 'first lines' });
    appendFileSync(log, 'appended by another process\n');
    await waitFor(
      () => readLines(log).slice(readLines(log).indexOf('appended by another process')).length > 30,
      {
        message: 'lines after the appended one',
      },
    );
    // stopped over the socket: the CLI under test here is `velos logs`
    const client = createClient({ home, autoStart: false, timeoutMs: 10_000 });
    try {
      await client.stop('shared-file');
    } finally {
      await client.close();
    }
    const inFile = readLines(log);
    const shown = (await velosOk(['logs', 'shared-file', '--out', '--raw', '--lines', '1000'], { home }))
      .stdout;
    expect(shown.split('\n').filter((line) => line === 'appended by another process')).toHaveLength(1);
    expect(lineNumbers(shown)).toEqual(lineNumbers(inFile.join('\n')));
  });

  // 70 MB through a loaded daemon: ~10 s on a quiet machine, over 30 s at load 20 (see whileFileGrows)
  it('--follow into a reader that reads nothing keeps the CLI memory bounded, then delivers in order and says what it skipped', {
    timeout: 240_000,
  }, async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'flood'], {
      home,
      // about 10 MB/s for at most 20 s (a bounded amount: the log is on the disk)
      env: { RATE: '50000', PAD: '200', COUNT: '1000000', STAY: '1' },
    });
    const log = outLog(home, 'flood');
    await waitFor(() => fileSize(log) > 100_000, { message: 'first lines' });
    // stdout is a pipe this test does not read yet: it is full after a few dozen KiB
    const follower = spawnVelos(['logs', 'flood', '--follow', '--raw', '--lines', '0'], { home });
    const pid = follower.pid!;
    const spawnedAt = fileSize(log);
    let errors = '';
    follower.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    try {
      // the CLI loaded and following: the app wrote 10 MB more since
      let baseline = { rss: 0, written: 0 };
      await whileFileGrows(
        log,
        () => {
          const written = fileSize(log);
          if (written <= spawnedAt + 10 * 1024 * 1024) return false;
          baseline = { rss: rssMb(pid), written };
          return true;
        },
        'the follower running',
        { intervalMs: 50 },
      );
      let peak = baseline.rss;
      // while the app goes on writing (60 MB more), the follower must not buffer it
      await whileFileGrows(
        log,
        () => {
          peak = Math.max(peak, rssMb(pid));
          return fileSize(log) > baseline.written + 60 * 1024 * 1024;
        },
        'the app writing 60 MB more',
        { intervalMs: 100 },
      );
      expect(follower.exitCode).toBeNull();
      expect(peak - baseline.rss, `RSS ${baseline.rss.toFixed(1)} → ${peak.toFixed(1)} MB`).toBeLessThan(40);

      let read = '';
      follower.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        read += chunk.length > 0 ? chunk.replaceAll(/x+/g, '') : chunk;
      });
      // whole lines only: a chunk may end inside a number (`line 258` of line 25877)
      const seenLines = () => read.slice(0, read.lastIndexOf('\n') + 1);
      await waitFor(() => lineNumbers(seenLines()).length >= 10_000, {
        timeoutMs: 20_000,
        message: 'lines once the pipe is read',
      });
      const numbers = lineNumbers(seenLines());
      const outOfOrder = numbers.findIndex((n, i) => i > 0 && n <= numbers[i - 1]!);
      expect(outOfOrder, `line ${numbers[outOfOrder]} after ${numbers[outOfOrder - 1]}`).toBe(-1);
      // the daemon skipped what the follow could not take, and said how much: each gap is one notice
      const gapsIn = (shown: number[]) =>
        shown.flatMap((n, i) => (i > 0 && n > shown[i - 1]! + 1 ? [n - shown[i - 1]! - 1] : []));
      const gaps = await waitFor(
        () => {
          const found = gapsIn(lineNumbers(seenLines()));
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: 20_000, message: 'lines after the first skipped ones' },
      );
      const notices = () =>
        [
          ...errors.matchAll(
            /^velos logs: (\d+) lines? of flood \(id \d+\) skipped: this follow fell behind/gm,
          ),
        ].map((m) => Number(m[1]));
      await waitFor(() => notices().length >= gaps.length, {
        message: () => `skip notices; stderr: ${errors}`,
      });
      expect(notices().slice(0, gaps.length)).toEqual(gaps);
      const after = lineNumbers(seenLines());
      expect(after.findIndex((n, i) => i > 0 && n <= after[i - 1]!)).toBe(-1);
      expect(read).not.toContain('skipped');
    } finally {
      killChild(follower);
    }
  });

  // one home for two tests that read every app's lines: 'velos logs without a target shows the lines of
  // every app' (before f1 starts), then 'flush empties the log files of one app or of all'
  // the waits of both: 120 s on a loaded machine (one took 59 s at load 50)
  it('without a target shows the lines of every app; flush empties the log files of one app or of all, also while the app writes', {
    timeout: 120_000,
  }, async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/crash-after.js', '--name', 'f2', '--no-autorestart'], {
      home,
      env: { CRASH_AFTER_MS: '100' },
    });
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'second', '--no-autorestart'], {
      home,
      env: { COUNT: '3', RATE: '0' },
    });
    await waitExited(home, 'f2');
    await waitExited(home, 'second');
    await waitFor(() => readLines(outLog(home, 'second')).length === 3, { message: 'three lines' });
    const every = await velosOk(['logs', '--lines', '20'], { home });
    expect(every.stdout).toContain('started pid');
    expect(every.stdout).toContain('crashing with exit code 1');
    expect(lineNumbers(every.stdout)).toEqual([1, 2, 3]);

    await velosOk(['start', 'fixtures/chatty.js', '--name', 'f1'], { home, env: { RATE: '20' } });
    await waitFor(() => readLines(outLog(home, 'f1')).length >= 20, { message: 'f1 lines' });
    await waitFor(() => readLines(errLog(home, 'f2')).length === 1, { message: 'f2 stderr' });
    const lastBeforeFlush = Math.max(...lineNumbers(readLines(outLog(home, 'f1')).join('\n')));

    await velosOk(['flush', 'f1'], { home });
    // f1 goes on writing (20 lines/s) and a loaded machine may read the file seconds after the flush: what
    // proves it emptied is that no line from before it is left (below), not how small the file still is
    expect(readLines(outLog(home, 'f2')).length).toBe(1);
    // The writer must go on at the start of the emptied file, not at its old offset (no hole of NULs).
    const fresh = await waitFor(
      () => {
        const lines = readLines(outLog(home, 'f1'));
        return lines.length >= 3 ? lines : undefined;
      },
      { message: 'new lines after flush' },
    );
    expect(fresh[0]).toMatch(/^line \d+$/);
    expect(Number(fresh[0]!.slice(5))).toBeGreaterThan(lastBeforeFlush);

    await velosOk(['flush'], { home });
    expect(statSync(outLog(home, 'f2')).size).toBe(0);
    expect(statSync(errLog(home, 'f2')).size).toBe(0);
  });

  it('logs of an unknown app fails', async () => {
    const home = shared();
    const result = await velos(['logs', 'no-such-app'], { home });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^velos: /);
  });

  it('logs of a deleted app names the log files it left, which the daemon no longer reads', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'left', '--no-autorestart'], {
      home,
      env: { COUNT: '3', RATE: '0' },
    });
    await waitExited(home, 'left');
    await waitFor(() => readLines(outLog(home, 'left')).length === 3, { message: '3 lines' });
    await velosOk(['delete', 'left'], { home });
    const result = await velos(['logs', 'left'], { home });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `velos: no process matches 'left'; log files by that name remain (a deleted app's?): ${outLog(home, 'left')}, ${errLog(home, 'left')}\n`,
    );
    // a search fails the same way; a name that never had files keeps the plain error
    const search = await velos(['logs', 'left', '--grep', 'line'], { home });
    expect(search.stderr).toContain(`remain (a deleted app's?): ${outLog(home, 'left')}`);
    expect((await velos(['logs', 'lef'], { home })).stderr).toBe("velos: no process matches 'lef'\n");
  });
});
