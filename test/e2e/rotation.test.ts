import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  clearApps,
  createHome,
  outLog,
  range,
  readLines,
  rowsNamed,
  sharedHome,
  velos,
  velosOk,
  waitExited,
  waitFor,
} from './helpers.js';

afterEach(cleanupHomes);

const ROTATED = /^(.+)\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z(-\d+)?\.log(\.gz)?$/;

/** The rotated files of `<name>-out.log` in a home, oldest first. */
function rotatedFiles(home: string, name: string): string[] {
  return readdirSync(join(home, 'logs'))
    .filter((file) => ROTATED.exec(file)?.[1] === `${name}-out`)
    .sort((a, b) => (a.replace(/\.log(\.gz)?$/, '') < b.replace(/\.log(\.gz)?$/, '') ? -1 : 1))
    .map((file) => join(home, 'logs', file));
}

function numbersOf(lines: readonly string[]): number[] {
  return lines.map((line) => Number(/^line (\d+)$/.exec(line)?.[1]));
}

describe('log rotation (LOG-2)', () => {
  // one daemon for the two tests that run apps (each starts and ends without apps, its own app names)
  const shared = sharedHome();

  it('maps the rotation flags of velos start onto the app spec, and refuses bad values', async () => {
    const home = createHome();
    const flags = ['--log-max-size', '10M', '--log-retain', '3', '--no-log-compress'];
    const dry = await velosOk(
      ['start', 'fixtures/chatty.js', ...flags, '--log-rotate-cron', '0 0 * * *', '--dry-run'],
      { home },
    );
    expect(JSON.parse(dry.stdout)[0]).toMatchObject({
      logMaxBytes: 10 * 1024 * 1024,
      logRetain: 3,
      logCompress: false,
      logRotateCron: '0 0 * * *',
    });
    const tooSmall = await velos(['start', 'fixtures/chatty.js', '--log-max-size', '10', '--dry-run'], {
      home,
    });
    expect(tooSmall.code).not.toBe(0);
    expect(tooSmall.stderr).toMatch(/--log-max-size: expected a size/);
    const negative = await velos(['start', 'fixtures/chatty.js', '--log-retain', '-1', '--dry-run'], {
      home,
    });
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toMatch(/--log-retain: expected a whole number, 0 to 1000/);
  });

  it('rotates by size with --log-max-size 64K: the gzipped rotated files and the log hold every line once', async () => {
    const home = shared();
    await clearApps(home);
    const count = 60_000;
    await velosOk(
      [
        'start',
        'fixtures/chatty.js',
        '--name',
        'rot',
        '--no-autorestart',
        '--log-max-size',
        '64K',
        '--log-retain',
        '100',
      ],
      { home, env: { COUNT: String(count), RATE: '30000' } },
    );
    await waitExited(home, 'rot');
    // compression runs in the background: wait until no plain rotated file is left
    const files = await waitFor(
      () => {
        const found = rotatedFiles(home, 'rot');
        return found.length > 0 && found.every((file) => file.endsWith('.gz')) ? found : undefined;
      },
      { timeoutMs: 30_000, message: 'gzipped rotated files' },
    );
    // ~670 KB of lines in files of at most 64 KiB
    expect(files.length).toBeGreaterThanOrEqual(9);
    const lines: string[] = [];
    for (const file of files) {
      const text = gunzipSync(readFileSync(file)).toString('utf8');
      expect(text.length).toBeLessThanOrEqual(64 * 1024);
      lines.push(...text.split('\n').slice(0, -1));
    }
    lines.push(...readLines(outLog(home, 'rot')));
    expect(numbersOf(lines)).toEqual(range(1, count));

    const tail = await velosOk(['logs', 'rot', '--lines', '3000', '--raw'], { home });
    expect(numbersOf(tail.stdout.trimEnd().split('\n'))).toEqual(range(count - 2999, count));
    await clearApps(home);
  }, 120_000);

  it('velos reloadLogs reopens a file renamed away: the moved file stops growing, no line is lost', async () => {
    const home = shared();
    await clearApps(home);
    const count = 4000;
    await velosOk(['start', 'fixtures/chatty.js', '--name', 'moved', '--no-autorestart'], {
      home,
      env: { COUNT: String(count), RATE: '2000' },
    });
    const path = outLog(home, 'moved');
    await waitFor(() => statSync(path, { throwIfNoEntry: false })?.size, { message: 'the first lines' });
    const movedPath = `${path}.1`;
    renameSync(path, movedPath);
    const reload = await velosOk(['reloadLogs', 'moved', '--json'], { home });
    expect(JSON.parse(reload.stdout)).toEqual([path, join(home, 'logs', 'moved-err.log')]);
    const movedSize = statSync(movedPath).size;
    await waitExited(home, 'moved');

    expect(statSync(movedPath).size).toBe(movedSize);
    const fresh = readLines(path);
    expect(fresh.length).toBeGreaterThan(0);
    expect(numbersOf([...readLines(movedPath), ...fresh])).toEqual(range(1, count));

    const badCron = await velos(
      ['start', 'fixtures/chatty.js', '--name', 'badcron', '--log-rotate-cron', 'every day'],
      { home },
    );
    expect(badCron.code).not.toBe(0);
    expect(badCron.stderr).toMatch(/--log-rotate-cron: expected a cron expression .*, got "every day"/);
    expect(await rowsNamed(home, 'badcron')).toEqual([]);
    await clearApps(home);
  }, 120_000);
});
