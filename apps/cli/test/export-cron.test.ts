import { afterEach, describe, expect, it } from 'vitest';
import { cronToKubernetes, cronToOnCalendar } from '../src/export/cron-calendar.js';
import { intervalCron } from '../src/export/kubernetes-jobs.js';
import { runTool, Scratch } from './startup-helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

const CASES: [string, string][] = [
  ['0 3 * * *', '*-*-* 03:00:00'],
  ['*/15 9-17 * * 1-5', 'Mon..Fri *-*-* 09..17:00/15:00'],
  ['30 2 1 * *', '*-*-1 02:30:00'],
  ['0 0 * * sun', 'Sun *-*-* 00:00:00'],
  ['0 12 * jan,jul *', '*-1,7-* 12:00:00'],
  ['15 10 * * 0,6', 'Sun,Sat *-*-* 10:15:00'],
  ['*/10 * * * * *', '*-*-* *:*:00/10'],
  ['@daily', '*-*-* 00:00:00'],
  ['@hourly', '*-*-* *:00:00'],
];

describe('cronToOnCalendar', () => {
  it('translates the cron forms systemd can express, and systemd-analyze calendar accepts each', async () => {
    const got = CASES.map(([cron]) => cronToOnCalendar(cron));
    for (const result of got) expect(result.ok).toBe(true);
    const values = got.map((result) => (result.ok ? result.value : ''));
    const checked = await runTool(scratch, 'systemd-analyze', ['calendar', ...values], '/', 'systemd');
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(values).toEqual(CASES.map(([, value]) => value));
  });

  it('refuses what systemd calendars lack, saying why', () => {
    expect(cronToOnCalendar('0 0 1 * 1')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/day of month and the day of week/),
    });
    expect(cronToOnCalendar('0 0 L * *')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/L, W, # or \?/),
    });
    expect(cronToOnCalendar('0-30/5 * * * *')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/stepped range/),
    });
    expect(cronToOnCalendar('every day')).toMatchObject({ ok: false });
  });
});

describe('CronJob schedules', () => {
  it('keeps 5-field cron, drops a zero seconds field, refuses seconds', () => {
    expect(cronToKubernetes('*/15 9-17 * * 1-5')).toEqual({ ok: true, value: '*/15 9-17 * * 1-5' });
    expect(cronToKubernetes('0 30 3 * * *')).toEqual({ ok: true, value: '30 3 * * *' });
    expect(cronToKubernetes('*/10 * * * * *')).toMatchObject({ ok: false });
  });

  it('turns intervals that divide an hour or a day into cron, and nothing else', () => {
    expect(intervalCron(60_000)).toBe('* * * * *');
    expect(intervalCron(30 * 60_000)).toBe('*/30 * * * *');
    expect(intervalCron(3_600_000)).toBe('0 * * * *');
    expect(intervalCron(6 * 3_600_000)).toBe('0 */6 * * *');
    expect(intervalCron(86_400_000)).toBe('0 0 * * *');
    expect(intervalCron(10_000)).toBeNull();
    expect(intervalCron(7 * 60_000)).toBeNull();
  });
});
