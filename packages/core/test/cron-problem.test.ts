import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { cronProblem } from '../src/config-crons.js';
import {
  CRON_NEVER_FIRES,
  CRON_ONE_TIME,
  CRON_REBOOT,
  CRON_ZONE_PREFIX,
  cronExpressionProblem,
} from '../src/cron-problem.js';

describe('cronExpressionProblem', () => {
  it('accepts 5 fields, 6 with seconds first, 7 with a year last, and nicknames', () => {
    const nextYear = new Date().getFullYear() + 1;
    for (const expression of [
      '0 3 * * *',
      '*/10 * * * * *',
      '* * * * * * *',
      `0 0 3 1 1 * ${nextYear}`,
      '@daily',
    ]) {
      expect(cronExpressionProblem(Cron, expression)).toBeNull();
    }
  });

  it('refuses an expression that never fires: a day the month lacks, a year gone by', () => {
    for (const expression of [
      '0 0 30 2 *',
      '0 0 31 4 *',
      '0 0 31 2,4 *',
      '0 0 0 1 1 * 2020',
      '0 0 30 2 +MON',
    ]) {
      expect(cronExpressionProblem(Cron, expression)).toBe(CRON_NEVER_FIRES);
    }
  });

  it('refuses a date and time, which croner reads as one run (a schedule repeats)', () => {
    const nextYear = new Date().getFullYear() + 1;
    for (const expression of [`${nextYear}-01-01T00:00:00`, `${nextYear}-06-01T12:30:00Z`]) {
      expect(cronExpressionProblem(Cron, expression)).toBe(CRON_ONE_TIME);
    }
  });

  it('says what to do instead of @reboot and of a CRON_TZ= or TZ= prefix, not what croner lacks', () => {
    expect(cronExpressionProblem(Cron, '@reboot')).toBe(CRON_REBOOT);
    expect(cronExpressionProblem(Cron, ' @REBOOT ')).toBe(CRON_REBOOT);
    for (const expression of [
      'CRON_TZ=UTC 0 3 * * *',
      'TZ=Europe/Paris 0 3 * * *',
      'cron_tz=UTC 0 3 * * *',
    ]) {
      expect(cronExpressionProblem(Cron, expression)).toBe(CRON_ZONE_PREFIX);
    }
  });

  it("gives croner's first line for an expression it cannot read", () => {
    expect(cronExpressionProblem(Cron, 'every day')).toMatch(/^CronPattern: .*parts are required\.$/);
    expect(cronExpressionProblem(Cron, '* * * * * * * *')).toMatch(/^CronPattern: /);
  });

  it('is the check config files and flags use (cronProblem)', async () => {
    expect(await cronProblem('0 0 30 2 *')).toBe(CRON_NEVER_FIRES);
    expect(await cronProblem('0 3 * * *')).toBeNull();
  });
});
