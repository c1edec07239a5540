import { afterEach, describe, expect, it } from 'vitest';
import { timeZoneWarning } from '../src/time-zone-check.js';
import { Harness } from './helpers.js';

const harness = new Harness();
const original = process.env.TZ;
afterEach(async () => {
  // Node reads the zone again when TZ is assigned
  if (original === undefined) delete process.env.TZ;
  else process.env.TZ = original;
  await harness.cleanup();
});

describe("the daemon's TZ", () => {
  it('is named when it is no time zone (Node silently keeps UTC), not when it is one or unset', () => {
    process.env.TZ = 'Europe/Berln';
    expect(timeZoneWarning()).toBe(
      'TZ=Europe/Berln is not a time zone (misspelt?): the daemon reads cron expressions and shows local times in UTC; velos kill, then start it again with a valid TZ (e.g. Europe/Berlin)',
    );
    for (const zone of [
      'Europe/Berlin',
      'UTC',
      ':Europe/Paris',
      'EST5EDT',
      'America/Argentina/Buenos_Aires',
    ]) {
      process.env.TZ = zone;
      expect(timeZoneWarning(), zone).toBeNull();
    }
    delete process.env.TZ;
    expect(timeZoneWarning()).toBeNull();
    process.env.TZ = '';
    expect(timeZoneWarning()).toBeNull();
  });

  it('a misspelt one is in daemon.log and in the warnings the command that started the daemon prints', async () => {
    process.env.TZ = 'Asia/Tokio';
    const { supervisor, logLines } = harness.supervisorWithLog();
    const warning = expect.stringMatching(/^TZ=Asia\/Tokio is not a time zone/);
    expect(logLines).toContainEqual(warning);
    expect((await supervisor.ping()).warnings).toEqual([warning]);
  });
});
