import { describe, expect, it } from 'vitest';
import {
  parseBracketedTimestamp,
  parseLeadingTimestamp,
  parseTimestamp,
  scanTimestamp,
} from '../src/timestamp.js';

describe('parseTimestamp', () => {
  it('reads ISO 8601 with a zone exactly', () => {
    expect(parseTimestamp('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0));
    expect(parseTimestamp('2024-05-01T10:00:00.123+02:00')).toBe(Date.UTC(2024, 4, 1, 8, 0, 0, 123));
    expect(parseTimestamp('2024-05-01 10:00:00,5 -0130')).toBe(Date.UTC(2024, 4, 1, 11, 30, 0, 500));
    expect(parseTimestamp('2024/05/01 10:00:00 UTC')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0));
  });

  it('reads zone-less times as local time', () => {
    expect(parseTimestamp('2015-07-29 17:41:44,747')).toBe(new Date(2015, 6, 29, 17, 41, 44, 747).getTime());
    expect(parseTimestamp('20171223-22:15:29:606')).toBe(new Date(2017, 11, 23, 22, 15, 29, 606).getTime());
    expect(parseTimestamp('29-Jul-2015 17:41:44')).toBe(new Date(2015, 6, 29, 17, 41, 44).getTime());
    expect(parseTimestamp('06/10/2013 17:26')).toBe(new Date(2013, 5, 10, 17, 26).getTime());
  });

  it(".NET's one-digit month and day (`3/14/2026 9:00:10 PM`), and day first when the first is over 12", () => {
    expect(parseTimestamp('3/14/2026 9:00:10 PM')).toBe(new Date(2026, 2, 14, 21, 0, 10).getTime());
    expect(parseTimestamp('3/4/2026')).toBe(new Date(2026, 2, 4).getTime());
    expect(parseTimestamp('12/1/2026 00:00:01')).toBe(new Date(2026, 11, 1, 0, 0, 1).getTime());
    expect(parseTimestamp('14/03/2026 21:00:10')).toBe(new Date(2026, 2, 14, 21, 0, 10).getTime());
    const line = '3/14/2026 9:00:10 PM ERROR Payment failed';
    expect(parseLeadingTimestamp(line)).toEqual({
      ts: new Date(2026, 2, 14, 21, 0, 10).getTime(),
      end: line.indexOf('ERROR'),
    });
    for (const notADate of [
      '3/14',
      '13/14/2026',
      '3/32/2026',
      '1/2/26',
      '3/14/20261',
      '3//2026',
      '1/123/2026',
    ])
      expect(parseTimestamp(notADate)).toBeNaN();
  });

  it('reads the common log format and syslog dates', () => {
    expect(parseTimestamp('10/Oct/2000:13:55:36 -0700')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(parseTimestamp('Dec 10 06:55:46', 2015)).toBe(new Date(2015, 11, 10, 6, 55, 46).getTime());
    expect(parseTimestamp('Tue Dec  1 06:55:46 2015')).toBe(new Date(2015, 11, 1, 6, 55, 46).getTime());
  });

  it("reads a 12-hour clock's AM and PM, and java.util.logging's `Mar 14, 2026 9:00:10 PM`", () => {
    expect(parseTimestamp('03/14/2026 09:00:08 PM')).toBe(new Date(2026, 2, 14, 21, 0, 8).getTime());
    expect(parseTimestamp('03/14/2026 12:30:00 AM')).toBe(new Date(2026, 2, 14, 0, 30, 0).getTime());
    expect(parseTimestamp('03/14/2026 12:30:00 pm')).toBe(new Date(2026, 2, 14, 12, 30, 0).getTime());
    expect(parseTimestamp('2026-03-14 07:15:00.250 PM +01:00')).toBe(Date.UTC(2026, 2, 14, 18, 15, 0, 250));
    expect(parseTimestamp('Mar 14, 2026 9:00:10 PM')).toBe(new Date(2026, 2, 14, 21, 0, 10).getTime());
    expect(parseTimestamp('Mar 4, 2026 11:59:59 AM')).toBe(new Date(2026, 2, 4, 11, 59, 59).getTime());
    const jul = 'Mar 14, 2026 9:00:10 PM org.apache.catalina.core.StandardService startInternal';
    expect(parseLeadingTimestamp(jul)).toEqual({
      ts: new Date(2026, 2, 14, 21, 0, 10).getTime(),
      end: jul.indexOf('org.'),
    });
    // a host named pm-… after a syslog time, a 24-hour clock, a word: no PM
    expect(parseLeadingTimestamp('Mar 14 09:00:00 pm-worker-1 app[1]: x', 2026)?.ts).toBe(
      new Date(2026, 2, 14, 9, 0, 0).getTime(),
    );
    expect(parseTimestamp('2026-03-14 21:00:00 PM')).toBeNaN();
    expect(parseLeadingTimestamp('2026-03-14 09:00:00 amqp connected')?.ts).toBe(
      new Date(2026, 2, 14, 9, 0, 0).getTime(),
    );
  });

  it('rejects what is not a date', () => {
    expect(parseTimestamp('17:41:44')).toBeNaN();
    expect(parseTimestamp('2024-13-01')).toBeNaN();
    expect(parseTimestamp('hello')).toBeNaN();
    expect(parseTimestamp('12:30abc')).toBeNaN();
  });
});

describe('scanTimestamp', () => {
  it('finds where a time value ends inside a line', () => {
    const line = 'at 17:41:44,747 done';
    expect(scanTimestamp(line, 3, line.length)).toBe(15);
    expect(scanTimestamp('1.2.3.4', 0, 7)).toBe(-1);
    expect(scanTimestamp('0:0:0:0:0:0:0:1', 0, 15)).toBe(-1);
  });
});

describe('parseLeadingTimestamp', () => {
  it('returns the time and where the message starts, past a separator', () => {
    const line = '2015-07-29 17:41:44,747 - INFO  [main] - started';
    const found = parseLeadingTimestamp(line);
    expect(found?.ts).toBe(new Date(2015, 6, 29, 17, 41, 44, 747).getTime());
    expect(line.slice(found!.end)).toBe('INFO  [main] - started');
    const bracketed = '[2024-05-01T10:00:00Z] GET /health';
    expect(bracketed.slice(parseLeadingTimestamp(bracketed)!.end)).toBe('GET /health');
    const piped = '20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579';
    expect(piped.slice(parseLeadingTimestamp(piped)!.end)).toBe('Step_LSC|30002312|onStandStepChanged 3579');
    const comma = '2024-03-02 07:15:09, Info                  SVC    Ending setup.';
    expect(comma.slice(parseLeadingTimestamp(comma)!.end)).toBe('Info                  SVC    Ending setup.');
  });

  it('needs a date: a bare time or a number does not start a timed line', () => {
    expect(parseLeadingTimestamp('17:41:44 something')).toBeUndefined();
    expect(parseLeadingTimestamp('1514038530000 steps')).toBeUndefined();
    expect(parseLeadingTimestamp('Server started')).toBeUndefined();
  });
});

describe('parseBracketedTimestamp', () => {
  it('reads the time of Common and Combined Log Format lines', () => {
    const clf = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326';
    expect(parseLeadingTimestamp(clf)).toBeUndefined();
    expect(parseBracketedTimestamp(clf)).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    const combined =
      '10.0.0.2 - - [03/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0 [en] (X11)"';
    expect(parseBracketedTimestamp(combined)).toBe(Date.UTC(2026, 11, 3, 10));
    expect(parseBracketedTimestamp('worker-1 [2026-12-03T10:00:00Z] job done')).toBe(
      Date.UTC(2026, 11, 3, 10),
    );
  });

  it('reads no time from other bracketed things', () => {
    for (const line of [
      'step [1/2] done',
      'took [12:30] minutes',
      'release [2023-10-12] notes',
      'got [200] from upstream',
      'items[10/Oct/2000:13:55:36 -0700] glued to a word',
      'array [1, 2, 3]',
      'pid [12345] exited',
      'at [10/Oct/2000:13:55:36 -0700 extra]',
      'no brackets at all',
      `${'x'.repeat(300)} [10/Oct/2000:13:55:36 -0700]`,
    ])
      expect(parseBracketedTimestamp(line), line).toBeUndefined();
  });
});
