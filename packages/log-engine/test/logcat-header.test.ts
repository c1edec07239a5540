import { describe, expect, it } from 'vitest';
import { labelOf } from '../src/classifier.js';
import { LogEngine } from '../src/log-engine.js';
import { messageOf, recordTime } from '../src/log-record.js';
import { logcatLevel, parseLogcatHeader } from '../src/logcat-header.js';

const NOW = new Date(2026, 11, 5, 12, 0, 0).getTime();

describe('parseLogcatHeader', () => {
  it('reads the time (this year) and where the tag and message start', () => {
    const line = '03-17 16:13:38.811  1702  2395 E ActivityManager: ANR in com.x';
    expect(parseLogcatHeader(line, NOW)).toEqual({
      ts: new Date(2026, 2, 17, 16, 13, 38, 811).getTime(),
      end: line.indexOf('ActivityManager'),
    });
  });

  it('puts a date more than a day ahead in the year before (the header has no year)', () => {
    expect(parseLogcatHeader('12-31 23:00:00.000  1  2 I Tag: x', NOW)?.ts).toBe(
      new Date(2025, 11, 31, 23, 0, 0).getTime(),
    );
  });

  it('reads no header in other lines', () => {
    for (const line of [
      '13-17 16:13:38.811  1702  2395 E Tag: month 13',
      '03-17 16:13:38.811 E Tag: no ids',
      '03-17 16:13:38.811  1702  2395 X Tag: no priority',
      '2026-03-17 16:13:38.811 ERROR x',
      '03-17',
      '',
    ])
      expect(parseLogcatHeader(line, NOW), line).toBeUndefined();
  });
});

describe('logcat lines in the engine', () => {
  it('take their level from the priority letter and leave the header out of the mined message', () => {
    const lines = [
      '03-17 16:13:38.811  1702  2395 D WindowManager: failed to freeze display 3 (retrying)',
      '03-17 16:13:38.819  1702  8671 E ActivityManager: Process com.x (pid 8671) has died',
      '03-17 16:13:38.820  1702  8671 W ActivityManager: Launch timeout has expired',
      '03-17 16:13:38.830  1702  8671 I ActivityManager: Start proc 123:com.x',
      '03-17 16:13:38.840  1702  8671 F libc    : Fatal signal 11 (SIGSEGV)',
      '03-17 16:13:38.850  1702  8671 V Choreographer: Skipped 30 frames',
      '03-17 16:13:39.850  1703  8672 E ActivityManager: Process com.x (pid 8672) has died',
    ];
    expect(lines.map((line) => labelOf(line))).toEqual([
      'debug',
      'error',
      'warn',
      'info',
      'fatal',
      'debug',
      'error',
    ]);
    expect(logcatLevel(lines[0]!)).toBe('debug');
    expect(messageOf(lines[2]!)).toBe('ActivityManager: Launch timeout has expired');
    expect(recordTime({ line: lines[3]! })).toBe(parseLogcatHeader(lines[3]!)?.ts);
    const engine = new LogEngine();
    const records = lines.map((line) => engine.push({ line }));
    expect(records.map((r) => r.level)).toEqual([
      'debug',
      'error',
      'warn',
      'info',
      'fatal',
      'debug',
      'error',
    ]);
    expect(records[6]?.templateId).toBe(records[1]?.templateId);
  });
});
