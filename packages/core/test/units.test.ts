import { describe, expect, it } from 'vitest';
import { formatSpanMs } from '../src/alert-rule.js';
import {
  durationError,
  formatBytes,
  formatDuration,
  formatElapsedMs,
  MAX_DURATION_MS,
  parseDurationMs,
  parseSizeBytes,
} from '../src/units.js';

describe('units', () => {
  it('parses durations', () => {
    expect(parseDurationMs(1500)).toBe(1500);
    expect(parseDurationMs('1500')).toBe(1500);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('5s')).toBe(5000);
    expect(parseDurationMs('1.5m')).toBe(90_000);
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs('1d')).toBe(86_400_000);
    expect(parseDurationMs('-1')).toBeNull();
    expect(parseDurationMs(-5)).toBeNull();
    expect(parseDurationMs('soon')).toBeNull();
  });

  it('takes durations up to 365 days and refuses longer ones with a clear reason (issue #19 item 3)', () => {
    expect(parseDurationMs('30d')).toBe(30 * 86_400_000);
    expect(parseDurationMs('365d')).toBe(MAX_DURATION_MS);
    expect(parseDurationMs('366d')).toBeNull();
    expect(parseDurationMs(MAX_DURATION_MS + 1)).toBeNull();
    expect(parseDurationMs(1e300)).toBeNull();
    expect(durationError('400d')).toBe('expected a duration of at most 365d, got "400d"');
    expect(durationError('soon')).toBe('expected a duration like 1500, "500ms", "5s" or "2m", got "soon"');
  });

  it('refuses a bare fraction of a millisecond, saying a bare number is milliseconds (kill_timeout = 1.5)', () => {
    expect(parseDurationMs(1.5)).toBeNull();
    expect(parseDurationMs('2.5')).toBeNull();
    expect(parseDurationMs('2.5s')).toBe(2500);
    // an object without a prototype (a fuzzed config) has no text: String() of it throws
    expect(durationError({ __proto__: null })).toBe(
      'expected a duration like 1500, "500ms", "5s" or "2m", got {}',
    );
    expect(durationError(1.5)).toBe(
      'expected a duration like 1500, "500ms", "5s" or "2m", got 1.5 (a bare number is milliseconds: write "1.5s" for 1.5 seconds)',
    );
  });

  it('parses sizes', () => {
    expect(parseSizeBytes('200M')).toBe(200 * 1024 * 1024);
    expect(parseSizeBytes('512k')).toBe(512 * 1024);
    expect(parseSizeBytes('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseSizeBytes('10MB')).toBe(10 * 1024 * 1024);
    expect(parseSizeBytes('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSizeBytes('512 kib')).toBe(512 * 1024);
    expect(parseSizeBytes('1iB')).toBeNull();
    expect(parseSizeBytes(4096)).toBe(4096);
    expect(parseSizeBytes('big')).toBeNull();
  });

  it('refuses sizes beyond 2^53 − 1 bytes, which the daemon would refuse (found by config fuzzing)', () => {
    expect(parseSizeBytes(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseSizeBytes(2 ** 53)).toBeNull();
    expect(parseSizeBytes('9999999999G')).toBeNull();
    expect(parseSizeBytes(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('formats bytes and durations the short way', () => {
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(45 * 1024 * 1024)).toBe('45M');
    expect(formatBytes(1.25 * 1024 ** 3)).toBe('1.3G');
    expect(formatDuration(12_000)).toBe('12s');
    expect(formatDuration(5 * 60_000)).toBe('5m');
    expect(formatDuration(3 * 3_600_000)).toBe('3h');
    expect(formatDuration(2 * 86_400_000)).toBe('2d');
  });

  it('writes a span exactly in the largest unit that holds it whole (an echoed period)', () => {
    expect(formatSpanMs(300_000)).toBe('5m');
    expect(formatSpanMs(90 * 60_000)).toBe('90m');
    expect(formatSpanMs(24 * 3_600_000)).toBe('1d');
    expect(formatSpanMs(36 * 3_600_000)).toBe('36h');
    expect(formatSpanMs(90_000)).toBe('90s');
    expect(formatSpanMs(1500)).toBe('1500ms');
    expect(formatSpanMs(500)).toBe('500ms');
  });

  it('formats an elapsed span in two units at most, the way people say it', () => {
    expect(formatElapsedMs(850)).toBe('850 ms');
    expect(formatElapsedMs(45_400)).toBe('45 s');
    expect(formatElapsedMs(3 * 60_000 + 12_000)).toBe('3 min 12 s');
    expect(formatElapsedMs(7_384_000)).toBe('2 h 3 min');
    expect(formatElapsedMs(2 * 3_600_000)).toBe('2 h');
    expect(formatElapsedMs(4 * 86_400_000 + 3_700_000)).toBe('4 d 1 h');
    expect(formatElapsedMs(-5)).toBe('0 ms');
  });
});
