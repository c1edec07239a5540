import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHAOS_FIXTURES,
  checkSequence,
  cleanupHomes,
  createHome,
  killDaemon,
  numbersIn,
  readLines,
  SeenProcesses,
  velosOk,
  waitFor,
  waitForStatus,
} from './chaos-helpers.js';

const seenPids = new SeenProcesses();

afterEach(async () => {
  seenPids.killAll();
  await cleanupHomes();
});

const LINES = 150_000;
const FLOOD_LINE = /^flood (\d+) x+$/;
const MAX_IN_FLIGHT_BYTES = 2 * 1024 * 1024 + 64 * 1024;

/** Every file of `<name>-out` in a home's logs: rotated ones oldest first (`…541Z` before `…541Z-1`), then the live one. */
function outFiles(home: string, name: string): string[] {
  const dir = join(home, 'logs');
  const rotated = readdirSync(dir)
    .filter((file) => file.startsWith(`${name}-out.`) && file.endsWith('.log') && file !== `${name}-out.log`)
    .map((file) => file.replace(/\.log$/, ''))
    .sort()
    .map((stem) => `${stem}.log`);
  return [...rotated, `${name}-out.log`].map((file) => join(dir, file));
}

describe('SIGKILL of the daemon during log rotation', () => {
  it('every line lands in one file once, except what the dead daemon held; every file holds whole lines', async () => {
    const home = createHome();
    await velosOk(
      [
        'start',
        join(CHAOS_FIXTURES, 'flood.js'),
        '--name',
        'rot',
        '--log-max-size',
        '10K',
        '--log-retain',
        '1000',
        '--no-log-compress',
      ],
      { home, env: { LINES: String(LINES) } },
    );
    const row = await waitForStatus(home, 'rot', 'online');
    seenPids.add(row.pid!);
    // Kill it once rotations are under way (each 10K file is a fraction of a batch of the flood).
    await waitFor(() => outFiles(home, 'rot').length > 10, {
      intervalMs: 10,
      message: 'rotations to happen',
    });
    await killDaemon(home);
    const filesAtKill = outFiles(home, 'rot').length;

    const listed = await velosOk(['list', '--json'], { home });
    expect(listed.stderr).toMatch(/re-adopted rot/);
    await waitFor(() => readLines(join(home, 'logs', 'rot-out.log')).includes(`flood done ${LINES}`), {
      timeoutMs: 60_000,
      message: 'the end of the flood',
    });
    const files = outFiles(home, 'rot');
    const all: string[] = [];
    let torn = 0;
    for (const file of files) {
      for (const line of readLines(file)) {
        if (!FLOOD_LINE.test(line) && !line.startsWith('flood done')) torn += 1;
        all.push(line);
      }
    }
    const check = checkSequence(numbersIn(all, FLOOD_LINE), LINES);
    expect(check.duplicates).toBe(0);
    expect(check.gaps.length).toBeLessThanOrEqual(1);
    expect(check.missing * 30).toBeLessThanOrEqual(MAX_IN_FLIGHT_BYTES);
    expect(torn).toBeLessThanOrEqual(1);
    // Lines are in order across files: rotation never reorders what one stream wrote.
    const numbers = numbersIn(all, FLOOD_LINE);
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true);
    console.log(
      `rotation: ${LINES} lines over ${files.length} files (${filesAtKill} at the kill), ${check.missing} lost, ${torn} torn`,
    );
  });
});
