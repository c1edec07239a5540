import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, listJson, readPidFile, velosOk } from './helpers.js';

afterEach(cleanupHomes);

/** The next run of the job `name` as the daemon has it (`velos list --json`), epoch ms. */
async function nextRunOf(home: string, name: string): Promise<number> {
  const row = (await listJson(home)).find((r) => r.name === name) as
    | { job?: { nextRunAt: number | null } }
    | undefined;
  const at = row?.job?.nextRunAt;
  if (typeof at !== 'number') throw new Error(`${name} has no next run: ${JSON.stringify(row)}`);
  return at;
}

/** The TZ in the environment of process `pid` (Linux /proc). */
function zoneOf(pid: number): string | undefined {
  const entry = readFileSync(`/proc/${pid}/environ`, 'latin1')
    .split('\0')
    .find((pair) => pair.startsWith('TZ='));
  return entry?.slice('TZ='.length);
}

/** The hour of the day of `epochMs` in `zone`. */
function hourIn(zone: string, epochMs: number): number {
  return Number(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(epochMs),
  );
}

describe.skipIf(!existsSync('/proc/self/environ'))('velos update and the time zone of cron schedules', () => {
  it("keeps the replaced daemon's TZ, whatever the TZ of the shell that runs the update", async () => {
    const home = createHome();
    await velosOk(['start', 'fixtures/silent.js', '--name', 'nightly', '--schedule', '0 3 * * *'], {
      home,
      env: { TZ: 'America/New_York' },
    });
    const before = await nextRunOf(home, 'nightly');
    expect(hourIn('America/New_York', before)).toBe(3);

    await velosOk(['update'], { home, env: { TZ: 'Asia/Tokyo' } });
    expect(zoneOf(readPidFile(home)!)).toBe('America/New_York');
    // the same instant: Tokyo's 03:00 would be 14 hours earlier
    expect(await nextRunOf(home, 'nightly')).toBe(before);
  });
});
