import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, listJson, velosOk } from './helpers.js';

afterEach(cleanupHomes);

/** libfaketime (Debian package libfaketime), wherever the architecture put it; null when absent. */
function findLibfaketime(): string | null {
  for (const base of ['/usr/lib', '/usr/local/lib']) {
    if (existsSync(join(base, 'faketime', 'libfaketime.so.1')))
      return join(base, 'faketime', 'libfaketime.so.1');
    const dirs = existsSync(base) ? readdirSync(base) : [];
    const found = dirs
      .map((dir) => join(base, dir, 'faketime', 'libfaketime.so.1'))
      .find((p) => existsSync(p));
    if (found) return found;
  }
  return null;
}

const libfaketime = findLibfaketime();

/**
 * The environment of a daemon (and the CLI that starts it) in Berlin whose wall clock reads `at` (an ISO
 * instant) when the command starts: libfaketime shifts the real clock by a fixed offset, so the CLI and
 * the daemon it spawns share it; the monotonic clock is left alone.
 */
function berlinAt(at: string): Record<string, string> {
  const offsetSeconds = Math.round((Date.parse(at) - Date.now()) / 1000);
  return {
    TZ: 'Europe/Berlin',
    LD_PRELOAD: libfaketime!,
    FAKETIME: `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** The next run of the job `name` as the daemon has it (`velos list --json`), as an ISO instant. */
async function nextRunOf(home: string, name: string): Promise<string> {
  const row = (await listJson(home)).find((r) => r.name === name) as
    | { job?: { nextRunAt: number | null } }
    | undefined;
  const at = row?.job?.nextRunAt;
  if (typeof at !== 'number') throw new Error(`${name} has no next run: ${JSON.stringify(row)}`);
  return new Date(at).toISOString();
}

describe.skipIf(libfaketime === null)('a job schedule across a daylight-saving change (libfaketime)', () => {
  it('a list of fixed times in the skipped hour fires once at its end instead of skipping the day', async () => {
    const home = createHome();
    // 01:30 CET on the spring-forward night: 02:00 to 03:00 does not exist
    const env = berlinAt('2026-03-29T00:30:00Z');
    await velosOk(['start', 'fixtures/silent.js', '--name', 'twice', '--schedule', '0,30 2 * * *'], {
      home,
      env,
    });
    await velosOk(['start', 'fixtures/silent.js', '--name', 'once', '--schedule', '30 2 * * *'], {
      home,
      env,
    });
    // 03:00 CEST, as a single time does (croner's default skipped the list to 02:00 CEST the next day)
    expect(await nextRunOf(home, 'twice')).toBe('2026-03-29T01:00:00.000Z');
    expect(await nextRunOf(home, 'once')).toBe('2026-03-29T01:00:00.000Z');
  });

  it('a list of fixed times in the repeated hour does not fire again in its second pass', async () => {
    const home = createHome();
    // 02:45 CEST on the fall-back night: 02:00 and 02:30 have gone by, and come again at 03:00 CEST
    const env = berlinAt('2026-10-25T00:45:00Z');
    await velosOk(['start', 'fixtures/silent.js', '--name', 'twice', '--schedule', '0,30 2 * * *'], {
      home,
      env,
    });
    await velosOk(['start', 'fixtures/silent.js', '--name', 'hourly', '--schedule', '30 * * * *'], {
      home,
      env,
    });
    // tomorrow's 02:00 CET, not 02:00 CET in an hour and a quarter
    expect(await nextRunOf(home, 'twice')).toBe('2026-10-26T01:00:00.000Z');
    // an hourly schedule follows the clock: 02:30 CET comes an hour after 02:30 CEST
    expect(await nextRunOf(home, 'hourly')).toBe('2026-10-25T01:30:00.000Z');
  });
});
