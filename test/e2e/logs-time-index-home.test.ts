import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, describeState, velosOk, waitFor } from './helpers.js';

// Log files an app keeps outside the Velos home (out_file = "/var/log/…") have their time index under
// the home, in logs/.tidx/: nothing but the log files lands in the app's directory (docs/logs.md).

let home: string;
let outside: string;

beforeAll(() => {
  home = createHome();
  outside = mkdtempSync(join(tmpdir(), 'velos-e2e-tidx-'));
});

afterAll(async () => {
  await cleanupHomes();
  rmSync(outside, { recursive: true, force: true });
}, 60_000);

async function captured(name: string): Promise<number> {
  const [info] = await describeState(home, name);
  return (info?.logLines.out ?? 0) + (info?.logLines.err ?? 0);
}

/** The lines `velos logs <name> --grep ^line` gives with `args` (a time range), as text. */
async function lines(name: string, args: string[] = []): Promise<string[]> {
  const { stdout } = await velosOk(
    ['logs', name, '--grep', '^(line|old) ', '--lines', '5000', '--json', ...args],
    {
      home,
    },
  );
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((text) => (JSON.parse(text) as { line: string }).line);
}

const homeIndexes = (prefix: string) =>
  (existsSync(join(home, 'logs', '.tidx')) ? readdirSync(join(home, 'logs', '.tidx')) : []).filter((name) =>
    name.startsWith(prefix),
  );
const besideIndexes = () => readdirSync(outside).filter((name) => name.endsWith('.tidx'));

describe('the time index of a log file kept outside the Velos home', () => {
  it('is under the home, not beside the file, and --since/--until read it', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const out = join(outside, 'ext-out.log');
    await velosOk(
      ['start', 'fixtures/chatty.js', '--name', 'ext', '-o', out, '-e', join(outside, 'ext-err.log')],
      {
        home,
        env: { COUNT: '200', RATE: '0', STAY: '1' },
      },
    );
    await waitFor(async () => (await captured('ext')) >= 200, { message: 'ext captured' });
    const since = await lines('ext', ['--since', before]);
    expect(since).toHaveLength(200);
    expect(since[0]).toBe('line 1');
    expect(await lines('ext', ['--until', before])).toEqual([]);
    expect(besideIndexes()).toEqual([]);
    expect(homeIndexes('ext-')).toEqual([expect.stringMatching(/^ext-out\.log\.[0-9a-f]{16}\.tidx$/)]);
  });

  it('follows its file through rotation, gzip, pruning and velos flush', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const out = join(outside, 'rot-out.log');
    const args = [
      '-o',
      out,
      '-e',
      join(outside, 'rot-err.log'),
      '--log-max-size',
      '64K',
      '--log-retain',
      '2',
    ];
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'rot', ...args], {
      home,
      env: { COUNT: '2000', RATE: '0', PAD: '100', STAY: '1' },
    });
    const last = `line 2000 ${'x'.repeat(100)}`;
    // written, not only captured: the third rotation came before it
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').endsWith(`${last}\n`), {
      message: 'rot written',
    });
    const rotated = () => readdirSync(outside).filter((name) => /^rot-out\..+Z\.log(\.gz)?$/.test(name));
    // 2000 lines of 110 bytes are 3 rotations of 64K: the oldest rotated file pruned, the others gzipped
    await waitFor(() => rotated().length === 2 && rotated().every((name) => name.endsWith('.gz')), {
      timeoutMs: 20_000,
      message: () => `two gzipped rotated files (${rotated().join(', ')})`,
    });
    const all = await lines('rot');
    expect(all.length).toBeLessThan(2000);
    expect(all.at(-1)).toBe(last);
    // every kept line has its time: a range around them gives them all
    expect(await lines('rot', ['--since', before])).toEqual(all);
    expect(besideIndexes()).toEqual([]);
    const stems = rotated().map((name) => name.replace(/\.log\.gz$/, ''));
    const indexes = homeIndexes('rot-');
    expect(indexes).toHaveLength(3);
    for (const stem of [...stems, 'rot-out'])
      expect(indexes.filter((name) => name.startsWith(`${stem}.log.`))).toHaveLength(1);

    await velosOk(['flush', 'rot'], { home });
    expect(rotated()).toEqual([]);
    expect(homeIndexes('rot-')).toEqual([]);
  });

  it('still reads the index an older version wrote beside the file', async () => {
    const out = join(outside, 'old-out.log');
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    const old = 'old 1\nold 2\nold 3\n';
    writeFileSync(out, old);
    const entry = Buffer.alloc(32);
    entry.writeDoubleLE(0, 0);
    entry.writeDoubleLE(twoHoursAgo, 8);
    entry.writeDoubleLE(old.length, 16);
    entry.writeDoubleLE(twoHoursAgo + 10, 24);
    writeFileSync(`${out}.tidx`, entry);
    utimesSync(out, new Date(twoHoursAgo + 10), new Date(twoHoursAgo + 10));
    await velosOk(
      ['start', 'fixtures/chatty.js', '--name', 'old', '-o', out, '-e', join(outside, 'old-err.log')],
      {
        home,
        env: { COUNT: '5', RATE: '0', STAY: '1' },
      },
    );
    await waitFor(async () => (await captured('old')) >= 5, { message: 'old captured' });
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    expect(await lines('old', ['--until', hourAgo])).toEqual(['old 1', 'old 2', 'old 3']);
    expect(await lines('old', ['--since', hourAgo])).toEqual([
      'line 1',
      'line 2',
      'line 3',
      'line 4',
      'line 5',
    ]);
    // the new entries go under the home; the old index stays where it was, read first
    expect(besideIndexes()).toEqual(['old-out.log.tidx']);
    expect(homeIndexes('old-')).toHaveLength(1);
  });

  it('orders the lines of the out and err files beyond the ring by it (velos logs --lines)', async () => {
    const goFile = join(outside, 'go');
    const [out, err] = [join(outside, 'mix-out.log'), join(outside, 'mix-err.log')];
    await velosOk(['start', 'fixtures/two-streams.js', '--name', 'mix', '-o', out, '-e', err], {
      home,
      env: { COUNT: '1400', FIRST: '600', EVERY_MS: '1', GO_FILE: goFile, STAY: '1' },
    });
    const numbers = (text: string) => [...text.matchAll(/line (\d+)\b/g)].map((m) => Number(m[1]));
    await waitFor(async () => (await captured('mix')) >= 600, { message: 'the first 600 lines captured' });
    // all of them in the daemon's ring (1000 lines), in the order it read them
    const first = numbers((await velosOk(['logs', 'mix', '--lines', '600', '--raw'], { home })).stdout);
    expect(first).toHaveLength(600);
    writeFileSync(goFile, '');
    await waitFor(async () => (await captured('mix')) >= 1400, { message: 'all 1400 lines captured' });
    // the oldest 400 are read back from the two files, merged by their index entries under the home
    const all = numbers((await velosOk(['logs', 'mix', '--lines', '1400', '--raw'], { home })).stdout);
    expect(all).toHaveLength(1400);
    expect(all.slice(0, 600)).toEqual(first);
    expect(besideIndexes().filter((name) => name.startsWith('mix-'))).toEqual([]);
  });
});
