import { describe, expect, it } from 'vitest';
import { erroredHealth, healthScore } from '../src/health-score.js';

const levels = (l: Partial<Record<'fatal' | 'error' | 'warn' | 'info' | 'debug', number>>) => ({
  fatal: 0,
  error: 0,
  warn: 0,
  info: 0,
  debug: 0,
  ...l,
});
const calm = { criticalAnomalies: 0, warningAnomalies: 0, hasRisingErrors: false };

describe('healthScore', () => {
  it('is 100 without lines and without trouble', () => {
    expect(healthScore({ levels: levels({}), ...calm })).toBe(100);
    expect(healthScore({ levels: levels({ info: 900, debug: 100 }), ...calm })).toBe(100);
  });

  it('takes 20 per crash of the process, at most 60: a crash loop scores 40 or less', () => {
    expect(healthScore({ levels: levels({ info: 100 }), ...calm, crashes: 1 })).toBe(80);
    expect(healthScore({ levels: levels({ info: 100 }), ...calm, crashes: 12 })).toBe(40);
    expect(healthScore({ levels: levels({}), ...calm, crashes: 2 })).toBe(60);
    expect(healthScore({ levels: levels({ info: 100 }), ...calm, crashes: 0 })).toBe(100);
  });

  it('follows the documented penalties', () => {
    // 10% errors: 200 × 0.1 = 20.
    expect(healthScore({ levels: levels({ error: 10, info: 90 }), ...calm })).toBe(80);
    // 10% warnings: 50 × 0.1 = 5.
    expect(healthScore({ levels: levels({ warn: 10, info: 90 }), ...calm })).toBe(95);
    // One fatal line out of 100: 200 × 0.01 + 10 = 12.
    expect(healthScore({ levels: levels({ fatal: 1, info: 99 }), ...calm })).toBe(88);
    // One critical and one warning anomaly: 10 + 4; rising errors: 10.
    expect(
      healthScore({
        levels: levels({ info: 100 }),
        criticalAnomalies: 1,
        warningAnomalies: 1,
        hasRisingErrors: true,
      }),
    ).toBe(76);
  });

  it('caps each penalty and never goes below 0', () => {
    expect(healthScore({ levels: levels({ error: 100 }), ...calm })).toBe(60);
    expect(healthScore({ levels: levels({ warn: 100 }), ...calm })).toBe(90);
    expect(
      healthScore({
        levels: levels({ fatal: 50, error: 50, warn: 50 }),
        criticalAnomalies: 9,
        warningAnomalies: 9,
        hasRisingErrors: true,
      }),
    ).toBe(0);
  });

  it('scores an app its supervisor gave up on 0, or at most 50 when only some of its processes are errored', () => {
    // no line and no crash in the period: 100 for a running app, not for an errored one
    expect(healthScore({ levels: levels({}), ...calm })).toBe(100);
    expect(healthScore({ levels: levels({}), ...calm, errored: 'all' })).toBe(0);
    expect(healthScore({ levels: levels({ info: 100 }), ...calm, errored: 'some' })).toBe(50);
    expect(
      healthScore({ levels: levels({ error: 100 }), ...calm, criticalAnomalies: 2, errored: 'some' }),
    ).toBe(40);
    expect(erroredHealth(90, undefined)).toBe(90);
  });
});
