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
    const format = createDateFormat('[YYYY-MM-DD HH:mm:ss.SSS Z]');
    const text = format.format(ts);
    expect(text).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.007 [+-]\d{2}:\d{2}\]$/);
    const date = new Date(ts);
    expect(text.slice(1, 11)).toBe(
      `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`,
    );
    expect(format.parse(`${text} msg`)).toEqual({ ts, rest: 'msg' });
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
