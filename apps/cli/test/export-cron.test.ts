import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cronToOnCalendar } from '../src/export/cron-calendar.js';
import { cronToKubernetes } from '../src/export/cron-kubernetes.js';
import { intervalCron } from '../src/export/kubernetes-jobs.js';

const HAS_SYSTEMD_ANALYZE = spawnSync('systemd-analyze', ['--version']).error === undefined;
const BASE = new Date('2025-12-30T13:47:23Z');

/** Each cron form the job scheduler (croner) takes, and its OnCalendar= value. */
const CASES: [string, string][] = [
  ['0 3 * * *', '*-*-* 03:00:00'],
  ['*/15 9-17 * * 1-5', 'Mon..Fri *-*-* 09..17:00/15:00'],
  ['30 2 1 * *', '*-*-01 02:30:00'],
  ['0 0 * * sun', 'Sun *-*-* 00:00:00'],
  ['0 12 * jan,jul *', '*-01,07-* 12:00:00'],
  ['15 10 * * 0,6', 'Sat,Sun *-*-* 10:15:00'],
  ['*/10 * * * * *', '*-*-* *:*:00/10'],
  ['30 */2 * * * *', '*-*-* *:00/2:30'],
  // */N starts at the field's first value: minute and hour 0, day of month and month 1
  ['0 0 1 */2 *', '*-01/2-01 00:00:00'],
  ['0 0 */5 * *', '*-*-01/5 00:00:00'],
  ['*/7 */5 * * *', '*-*-* 00/5:00/7:00'],
  ['0 0 31 */2 *', '*-01/2-31 00:00:00'],
  // stepped ranges, lists, names
  ['1-10/2 * * * *', '*-*-* *:01..10/2:00'],
  ['0 0 1-15/7 * *', '*-*-01..15/7 00:00:00'],
  ['0 0 * JAN-MAR/2 *', '*-01..03/2-* 00:00:00'],
  ['0 0 1,15 * *', '*-*-01,15 00:00:00'],
  ['0 6,18 * * *', '*-*-* 06,18:00:00'],
  ['0 8 * * MON-FRI', 'Mon..Fri *-*-* 08:00:00'],
  // days of week: steps from Sunday, 7 is Sunday, ranges ending on Sunday; systemd's weeks start on Monday
  ['0 0 * * */2', 'Tue,Thu,Sat,Sun *-*-* 00:00:00'],
  ['0 0 * * 1-5/2', 'Mon,Wed,Fri *-*-* 00:00:00'],
  ['0 0 * * 5-7', 'Fri..Sun *-*-* 00:00:00'],
  ['0 0 * * SAT-SUN', 'Sat,Sun *-*-* 00:00:00'],
  ['0 0 * * 7', 'Sun *-*-* 00:00:00'],
  ['0 0 * * 0-7', 'Mon..Sun *-*-* 00:00:00'],
  // croner's extensions: ? (any), + (day of month AND day of week), L, #, a year
  ['0 0 ? * ?', '*-*-* 00:00:00'],
  ['0 12 1 * +MON', 'Mon *-*-01 12:00:00'],
  ['0 0 L * *', '*-*~01 00:00:00'],
  ['0 0 L 2 *', '*-02~01 00:00:00'],
  ['0 9 * * MON#1', 'Mon *-*-01..07 09:00:00'],
  ['0 9 * * MON#1,WED#1', 'Mon,Wed *-*-01..07 09:00:00'],
  ['0 9 * * 1#5', 'Mon *-*-29..31 09:00:00'],
  ['0 9 * * FRI#L', 'Fri *-*~07/1 09:00:00'],
  ['0 9 * * 5L', 'Fri *-*~07/1 09:00:00'],
  ['0 0 0 1 1 * 2027', '2027-01-01 00:00:00'],
  ['0 0 0 1 1 * 2026-2040/3', '2026..2040/3-01-01 00:00:00'],
  ['0 0 0 1 1 * */2', '1970/2-01-01 00:00:00'],
  // macros
  ['@yearly', '*-01-01 00:00:00'],
  ['@monthly', '*-*-01 00:00:00'],
  ['@weekly', 'Sun *-*-* 00:00:00'],
  ['@daily', '*-*-* 00:00:00'],
  ['@MIDNIGHT', '*-*-* 00:00:00'],
  ['@hourly', '*-*-* *:00:00'],
];

/** What this test uses of croner's `Cron` (croner is not a dependency of this package). */
type CronClass = new (
  pattern: string,
  options: { paused: boolean; timezone: string },
) => { nextRuns(count: number, from: Date): Date[]; stop(): void };

/** The next `count` runs of a cron as the job scheduler computes them, in UTC, after BASE. */
function cronerRuns(cron: string, count: number): string[] {
  // croner is the supervisor's dependency: loaded from there (its CommonJS build)
  const fromSupervisor = createRequire(
    fileURLToPath(new URL('../../../packages/supervisor/package.json', import.meta.url)),
  );
  const { Cron } = fromSupervisor('croner') as { Cron: CronClass };
  const job = new Cron(cron, { paused: true, timezone: 'Etc/UTC' });
  const runs = job.nextRuns(count, BASE).map((date) => date.toISOString().replace('.000Z', 'Z'));
  job.stop();
  return runs;
}

/** The next `count` elapses of an OnCalendar= value per systemd-analyze, in UTC, after BASE. */
function systemdRuns(calendar: string, count: number): { runs: string[]; stderr: string } {
  const result = spawnSync(
    'systemd-analyze',
    ['calendar', `--iterations=${count}`, `--base-time=@${BASE.getTime() / 1000}`, calendar],
    { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8', timeout: 30_000 },
  );
  const runs = [...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\S+) (\S+) UTC/g)].map(
    (match) => `${match[1]}T${match[2]}Z`,
  );
  return { runs, stderr: result.status === 0 ? result.stderr : `exit ${result.status}: ${result.stderr}` };
}

describe('cronToOnCalendar', () => {
  it.each(CASES)('translates %s into %s', (cron, calendar) => {
    expect(cronToOnCalendar(cron)).toEqual({ ok: true, value: calendar });
  });

  it.skipIf(!HAS_SYSTEMD_ANALYZE)(
    'gives calendars systemd-analyze accepts, elapsing when the job scheduler would run the cron',
    () => {
      for (const [cron] of CASES) {
        const translated = cronToOnCalendar(cron);
        if (!translated.ok) throw new Error(`${cron}: ${translated.reason}`);
        const systemd = systemdRuns(translated.value, 6);
        expect(systemd.stderr, `${cron} → ${translated.value}`).toBe('');
        expect(systemd.runs, `${cron} → ${translated.value}`).toEqual(cronerRuns(cron, 6));
      }
    },
  );

  it('refuses what systemd calendars lack, saying why', () => {
    const refused: [string, RegExp][] = [
      ['0 0 1 * 1', /day of month and the day of week/],
      ['0 0 */5 * MON', /day of month and the day of week/],
      ['0 0 1 * MON#1', /day of month and the day of week/],
      ['0 0 15W * *', /W \(the nearest weekday\)/],
      ['0 0 1,L * *', /L among other days/],
      ['0 0 * * MON#1,WED#2', /different weeks/],
      ['0 0 * * 1#6', /a week a month does not have/],
      ['60 * * * *', /"60" is not a value from 0 to 59/],
      ['0 0 0 * *', /"0" is not a value from 1 to 31/],
      ['0 0 * * 8', /"8" is not a day of week/],
      ['0 0 5-3 * *', /backwards/],
      ['*/0 * * * *', /bad step/],
      ['every day', /5, 6 or 7 fields/],
    ];
    for (const [cron, reason] of refused) {
      expect(cronToOnCalendar(cron), cron).toMatchObject({
        ok: false,
        reason: expect.stringMatching(reason),
      });
    }
  });
});

describe('CronJob schedules', () => {
  it('keeps 5-field cron, drops a zero seconds field, refuses seconds', () => {
    expect(cronToKubernetes('*/15 9-17 * * 1-5')).toEqual({ ok: true, value: '*/15 9-17 * * 1-5' });
    expect(cronToKubernetes('0 30 3 * * *')).toEqual({ ok: true, value: '30 3 * * *' });
    expect(cronToKubernetes('*/10 * * * * *')).toMatchObject({ ok: false });
  });

  it('writes Sunday as 0 and refuses the croner extensions a CronJob lacks', () => {
    expect(cronToKubernetes('0 0 * * 5-7')).toEqual({ ok: true, value: '0 0 * * 0,5,6' });
    expect(cronToKubernetes('0 0 ? * MON-FRI')).toEqual({ ok: true, value: '0 0 * * MON-FRI' });
    for (const cron of ['0 0 L * *', '0 0 15W * *', '0 0 * * FRI#L', '0 0 1 * +MON', '0 0 0 1 1 * 2027']) {
      expect(cronToKubernetes(cron), cron).toMatchObject({ ok: false });
    }
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
