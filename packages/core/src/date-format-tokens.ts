/** The moment.js tokens a log date format prints (those of PM2's dayjs); other letters stay as text. */
export const DATE_FORMAT_TOKENS = [
  'YYYY',
  'YY',
  'MMMM',
  'MMM',
  'MM',
  'M',
  'DD',
  'D',
  'dddd',
  'ddd',
  'dd',
  'd',
  'HH',
  'H',
  'hh',
  'h',
  'mm',
  'm',
  'ss',
  's',
  'SSS',
  'A',
  'a',
  'ZZ',
  'Z',
] as const;

/** One of `DATE_FORMAT_TOKENS`. */
export type DateFormatToken = (typeof DATE_FORMAT_TOKENS)[number];

// longest first, so that `YYYY` is not read as `YY` twice; `[text]` is literal
const KNOWN = new RegExp(
  `\\[[^\\]]*\\]|${[...DATE_FORMAT_TOKENS].sort((a, b) => b.length - a.length).join('|')}`,
  'g',
);

/**
 * What is wrong with a log date format (`log_date_format`, `--timestamp=<format>`) whose letters are
 * not all tokens: `Do`, `X`, `Q`… are printed as they are written, as PM2 does; null when none is (a
 * lone `T`, as in `YYYY-MM-DDTHH:mm`, is the usual literal; `iso` is Velos's UTC ISO 8601).
 */
export function dateFormatTokensProblem(format: string): string | null {
  if (format.toLowerCase() === 'iso') return null;
  if (!/[A-SU-Za-z]/.test(format.replace(KNOWN, ''))) return null;
  return `moment tokens other than ${DATE_FORMAT_TOKENS.join(' ')} stay as text: ${JSON.stringify(format)}`;
}
