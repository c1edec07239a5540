import { execFile } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  errLog,
  homeEnv,
  killChild,
  outLog,
  readLines,
  sharedHome,
  spawnVelos,
  trackHomeChild,
  VELOS_BIN,
  velos,
  velosOk,
  waitExited,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

// One home and daemon for the file: each test reads only its own app's logs and files (by name).
const shared = sharedHome();

/** After each test, every app of the shared home is deleted (its daemon stays): a test that failed leaves nothing running. */
afterEach(() => clearApps(shared()));

const run = promisify(execFile);

/** `velos …args` on `home` with its stdout as bytes (the harness's runs decode it as UTF-8). */
function runRaw(home: string, args: string[]): Promise<{ stdout: Buffer }> {
  const raw = run(process.execPath, [VELOS_BIN, ...args], { env: homeEnv(home), encoding: 'buffer' });
  trackHomeChild(raw.child, home);
  return raw;
}

function lineNumbers(text: string): number[] {
  return [...text.matchAll(/line (\d+)\b/g)].map((m) => Number(m[1]));
}

describe('velos logs --lines beyond the lines the daemon keeps in memory', () => {
  it('prints the lines of the out and err files in the order the daemon read them', async () => {
    const home = shared();
    const goFile = join(home, 'go');
    await velosOk(['start', 'fixtures/two-streams.js', '--name', 'mix'], {
      home,
      env: { COUNT: '1400', FIRST: '600', EVERY_MS: '1', GO_FILE: goFile, STAY: '1' },
    });
    const written = (half: number) =>
      readLines(outLog(home, 'mix')).length === half && readLines(errLog(home, 'mix')).length === half;
    await waitFor(() => written(300), { message: 'the first 600 lines written' });
    // all of them are in the daemon's ring (1000 lines): in the order it read them
    const first = lineNumbers((await velosOk(['logs', 'mix', '--lines', '600', '--raw'], { home })).stdout);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));

    writeFileSync(goFile, '');
    await waitFor(() => written(700), { message: 'all 1400 lines written' });
    // the oldest 400 of them are read back from the two files
    const all = lineNumbers((await velosOk(['logs', 'mix', '--lines', '1400', '--raw'], { home })).stdout);
    expect(all).toHaveLength(1400);
    expect(all.slice(0, 600)).toEqual(first);
  });

  it('names the gzipped rotated file the lines left out are in, with a command that prints them', async () => {
    const home = shared();
    await velosOk(
      ['start', 'fixtures/chatty.js', '--name', 'big', '--no-autorestart', '--log-max-size', '1M'],
      { home, env: { COUNT: '80', RATE: '0', PAD: String(100_000) } },
    );
    await waitExited(home, 'big');
    const dir = dirname(outLog(home, 'big'));
    await waitFor(
      () => {
        const rotated = readdirSync(dir).filter((file) => /^big-out\..+\.log(\.gz)?$/.test(file));
        return rotated.length >= 5 && rotated.every((file) => file.endsWith('.gz'));
      },
      { message: 'the rotated files gzipped' },
    );

    const result = await velos(['logs', 'big', '--lines', '80', '--raw'], { home });
    expect(result.code, result.stderr).toBe(0);
    const shown = lineNumbers(result.stdout);
    expect(shown.at(-1)).toBe(80);
    expect(shown.length).toBeLessThan(80);
    const command = /\(e\.g\. (zcat .+\.gz \| head -c \d+ \| tail -n \d+)\)/.exec(result.stderr)?.[1];
    expect(command, result.stderr).toBeDefined();
    const { stdout } = await run('sh', ['-c', command!], { maxBuffer: 64 * 1024 * 1024 });
    const left = lineNumbers(stdout);
    expect(left.length).toBeGreaterThan(0);
    expect(left.at(-1)).toBe(shown[0]! - 1);
    expect(left).toEqual(Array.from({ length: left.length }, (_, i) => left[0]! + i));
  });
});

describe('velos logs of an app whose log file was removed under the daemon', () => {
  it('says the file is gone and shows the lines held in memory; a search and a view say it too', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/two-streams.js', '--name', 'gone'], {
      home,
      env: { COUNT: '40', EVERY_MS: '1', STAY: '1' },
    });
    const out = outLog(home, 'gone');
    await waitFor(() => readLines(out).length === 20 && readLines(errLog(home, 'gone')).length === 20, {
      message: 'the 40 lines written',
    });
    // a cleanup: the app goes on, quiet, so nothing makes the file again
    rmSync(out);
    const gone = `velos: ${out} is gone (removed while the app ran?)`;
    const tail = await velosOk(['logs', 'gone', '--lines', '2000', '--raw'], { home });
    expect(lineNumbers(tail.stdout)).toHaveLength(40);
    expect(tail.stderr).toBe(`${gone}: showing the 20 lines held in memory\n`);
    // a search reads the files only: the err file's 20 lines, and the notice of the one it could not read
    const search = await velosOk(['logs', 'gone', '--grep', 'line', '--lines', '100', '--raw'], { home });
    expect(lineNumbers(search.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));
    expect(search.stderr).toBe(`${gone}: its lines were not read\n`);
    const summary = JSON.parse((await velosOk(['logs', 'gone', '--summary', '--ai'], { home })).stdout);
    expect(summary).toMatchObject({ n: 20, missing: [out] });
  });
});

describe('velos logs --raw', () => {
  it('prints bytes an app wrote that are not valid UTF-8 as they are', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/invalid-utf8.js', '--name', 'bad'], { home });
    await waitFor(() => readLines(outLog(home, 'bad')).length === 2, { message: 'the lines written' });
    const expected = Buffer.concat([
      Buffer.from('bad '),
      Buffer.from([0xff, 0xfe, 0x20, 0xc3, 0x28]),
      Buffer.from(' end\ngood \u00fc \ufffd end\n'),
    ]);
    const raw = await runRaw(home, ['logs', 'bad', '--raw']);
    expect(raw.stdout.equals(expected), raw.stdout.toString('hex')).toBe(true);
    // without --raw a line stays text: the bytes show as U+FFFD
    const text = await velosOk(['logs', 'bad'], { home });
    expect(text.stdout).toBe('bad | bad \ufffd\ufffd \ufffd( end\nbad | good \u00fc \ufffd end\n');

    // a follow prints them as they are too
    const follower = spawnVelos(['logs', 'bad', '--raw', '--follow', '--lines', '2'], { home });
    const chunks: Buffer[] = [];
    follower.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    try {
      await waitFor(() => Buffer.concat(chunks).length >= expected.length, {
        timeoutMs: 20_000,
        message: 'the follower printing both lines',
      });
      expect(Buffer.concat(chunks).equals(expected), Buffer.concat(chunks).toString('hex')).toBe(true);
    } finally {
      killChild(follower);
    }
  });

  it('prints them as they are from a search too (--grep, --since)', async () => {
    const home = shared();
    await velosOk(['start', 'fixtures/invalid-utf8.js', '--name', 'bad-search'], { home });
    await waitFor(() => readLines(outLog(home, 'bad-search')).length === 2, { message: 'the lines written' });
    const bad = Buffer.concat([
      Buffer.from('bad '),
      Buffer.from([0xff, 0xfe, 0x20, 0xc3, 0x28]),
      Buffer.from(' end\n'),
    ]);
    const search = (flags: string[]) => runRaw(home, ['logs', 'bad-search', '--raw', ...flags]);
    const grep = await search(['--grep', 'end$']);
    const expected = Buffer.concat([bad, Buffer.from('good \u00fc \ufffd end\n')]);
    expect(grep.stdout.equals(expected), grep.stdout.toString('hex')).toBe(true);
    const since = await search(['--since', '1h']);
    expect(since.stdout.equals(expected), since.stdout.toString('hex')).toBe(true);
  });
});
