import { describe, expect, it } from 'vitest';
import { dateFormatTokensProblem } from '../src/date-format-tokens.js';

describe('dateFormatTokensProblem', () => {
  it('passes the tokens, [literal text], a lone T and iso', () => {
    for (const format of [
      'YYYY-MM-DDTHH:mm:ss.SSS Z',
      'ddd, DD-MMM-YYYY hh:mm A [at] ZZ',
      'dd d',
      'iso',
      'ISO',
    ]) {
      expect(dateFormatTokensProblem(format), format).toBeNull();
    }
  });

  it('names a format with letters that stay as text', () => {
    expect(dateFormatTokensProblem('Do MMM')).toBe(
      'moment tokens other than YYYY YY MMMM MMM MM M DD D dddd ddd dd d HH H hh h mm m ss s SSS A a ZZ Z stay as text: "Do MMM"',
    );
    for (const format of ['X', 'Q YYYY', 'YYYY w', 'isoWeek'])
      expect(dateFormatTokensProblem(format)).not.toBeNull();
  });
});
