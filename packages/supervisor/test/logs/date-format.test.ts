import { describe, expect, it } from 'vitest';
import { createDateFormat } from '../../src/logs/date-format.js';

const ts = Date.UTC(2024, 1, 29, 23, 5, 9, 7);

describe('createDateFormat', () => {
  it('formats iso as UTC ISO 8601 and parses it back', () => {
    const format = createDateFormat('iso');
    expect(format.format(ts)).toBe('2024-02-29T23:05:09.007Z');
    expect(format.parse('2024-02-29T23:05:09.007Z hello world')).toEqual({ ts, rest: 'hello world' });
    expect(format.parse('hello world')).toBeNull();
  });

  it('formats a pattern in local time with the offset and parses it back exactly', () => {
    const format = createDateFormat('(YYYY-MM-DD HH:mm:ss.SSS Z)');
    const text = format.format(ts);
    expect(text).toMatch(/^\(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.007 [+-]\d{2}:\d{2}\)$/);
    const date = new Date(ts);
    expect(text.slice(1, 11)).toBe(
      `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`,
    );
    expect(format.parse(`${text} msg`)).toEqual({ ts, rest: 'msg' });
  });

  it('says the span one printed time stands for', () => {
    expect(createDateFormat('iso').resolutionMs).toBe(1);
    expect(createDateFormat('YYYY-MM-DD HH:mm:ss.SSS').resolutionMs).toBe(1);
    expect(createDateFormat('YYYY-MM-DD HH:mm:ss').resolutionMs).toBe(1000);
    expect(createDateFormat('YYYY-MM-DD HH:mm').resolutionMs).toBe(60_000);
    expect(createDateFormat('YYYY-MM-DD').resolutionMs).toBe(86_400_000);
  });

  it('reads an offset other than the local one', () => {
    const format = createDateFormat('YYYY-MM-DD HH:mm Z');
    expect(format.parse('2024-02-29 10:30 -05:30 late')).toEqual({
      ts: Date.UTC(2024, 1, 29, 16, 0),
      rest: 'late',
    });
  });

  it('parses a pattern without Z as local time and one without a date as no time', () => {
    expect(createDateFormat('YYYY/MM/DD HH:mm:ss').parse('2024/02/29 23:05:09 x')).toEqual({
      ts: new Date(2024, 1, 29, 23, 5, 9).getTime(),
      rest: 'x',
    });
    expect(createDateFormat('HH:mm:ss').parse('23:05:09 x')).toEqual({ ts: null, rest: 'x' });
    expect(createDateFormat('HH:mm:ss').parse('no time here')).toBeNull();
  });
});

// 5 January 2026, 15:04:09.007 local time (a Monday)
const TS = new Date(2026, 0, 5, 15, 4, 9, 7).getTime();

function offset(separator: string): string {
  const minutes = -new Date(TS).getTimezoneOffset();
  const abs = Math.abs(minutes);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}${separator}${two(abs % 60)}`;
}

// Issue #14: PM2's log_date_format is a moment.js pattern.
describe('createDateFormat: moment.js tokens', () => {
  it.each([
    ['YYYY-MM-DD HH:mm:ss', '2026-01-05 15:04:09'],
    ['YYYY-MM-DDTHH:mm:ss.SSS', '2026-01-05T15:04:09.007'],
    ['YY/M/D H:m:s', '26/1/5 15:4:9'],
    ['DD-MM-YYYY hh:mm A', '05-01-2026 03:04 PM'],
    ['D MMM YYYY h:mm a', '5 Jan 2026 3:04 pm'],
    ['dddd, MMMM D YYYY', 'Monday, January 5 2026'],
    ['ddd HH:mm', 'Mon 15:04'],
    // PM2's dayjs prints these two as well; they used to stay as the letters d and dd
    ['dd d HH:mm', 'Mo 1 15:04'],
    ['[at] HH[h]mm', 'at 15h04'],
  ])('formats %s', (pattern, expected) => {
    expect(createDateFormat(pattern).format(TS)).toBe(expected);
  });

  it('prints the UTC offset with Z and ZZ', () => {
    expect(createDateFormat('YYYY-MM-DD HH:mm:ss Z').format(TS)).toBe(`2026-01-05 15:04:09 ${offset(':')}`);
    expect(createDateFormat('HH:mm ZZ').format(TS)).toBe(`15:04 ${offset('')}`);
  });

  it.each([
    'YYYY-MM-DD HH:mm:ss.SSS Z',
    'YYYY-MM-DDTHH:mm:ss.SSS',
    'YYYY-MM-DD HH:mm:ss.SSS ZZ',
    'DD-MM-YYYY hh:mm:ss.SSS A',
    'D MMM YYYY h:m:s.SSS a',
    'ddd, DD MMMM YYYY HH:mm:ss.SSS',
    'YY-M-D H:mm:ss.SSS',
    'dd d YYYY-MM-DD HH:mm:ss.SSS',
  ])('reads back what %s printed', (pattern) => {
    const format = createDateFormat(pattern);
    expect(format.parse(`${format.format(TS)} hello world`)).toEqual({ ts: TS, rest: 'hello world' });
  });

  it('reads a prefix without a full date as text, and a line without the prefix as none', () => {
    const format = createDateFormat('HH:mm:ss');
    expect(format.parse('15:04:09 line')).toEqual({ ts: null, rest: 'line' });
    expect(format.parse('no stamp here')).toBeNull();
    expect(createDateFormat('iso').parse('2026-01-05T14:04:09.007Z x')).toEqual({
      ts: Date.parse('2026-01-05T14:04:09.007Z'),
      rest: 'x',
    });
  });
});
