/** Formats the timestamp prefix of plain log lines and reads it back. */
export interface DateFormat {
  /** The prefix text for epoch ms `ts` (without the separating space). */
  format(ts: number): string;
  /** Splits a prefixed line into its time (null when the format holds no full date) and the rest; null when the line has no prefix. */
  parse(line: string): { ts: number | null; rest: string } | null;
}

type Token = 'YYYY' | 'MM' | 'DD' | 'HH' | 'mm' | 'ss' | 'SSS' | 'Z';

const TOKENS: readonly Token[] = ['YYYY', 'SSS', 'MM', 'DD', 'HH', 'mm', 'ss', 'Z'];
const TOKEN_PATTERNS: Record<Token, string> = {
  YYYY: '(\\d{4})',
  MM: '(\\d{2})',
  DD: '(\\d{2})',
  HH: '(\\d{2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{3})',
  Z: '([+-]\\d{2}:\\d{2})',
};
const ISO_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z) /;

/**
 * Compiles a log date format: `iso` (UTC ISO 8601 with ms) or a pattern of `YYYY MM DD HH mm ss SSS`
 * in local time and `Z` for the UTC offset (`+02:00`); any other character is literal text.
 */
export function createDateFormat(pattern: string): DateFormat {
  if (pattern.toLowerCase() === 'iso') return isoFormat;
  const parts = tokenize(pattern);
  const tokens = parts
    .filter((part): part is { token: Token } => typeof part !== 'string')
    .map((p) => p.token);
  const source = parts
    .map((part) => (typeof part === 'string' ? escapeRegExp(part) : TOKEN_PATTERNS[part.token]))
    .join('');
  const prefix = new RegExp(`^${source} `);
  const hasDate = tokens.includes('YYYY') && tokens.includes('MM') && tokens.includes('DD');
  return {
    format(ts) {
      const date = new Date(ts);
      return parts.map((part) => (typeof part === 'string' ? part : formatToken(date, part.token))).join('');
    },
    parse(line) {
      const match = prefix.exec(line);
      if (!match) return null;
      const rest = line.slice(match[0].length);
      if (!hasDate) return { ts: null, rest };
      const value = (token: Token): string | undefined => {
        const index = tokens.indexOf(token);
        return index === -1 ? undefined : match[index + 1];
      };
      const fields = [
        value('YYYY'),
        value('MM'),
        value('DD'),
        value('HH'),
        value('mm'),
        value('ss'),
        value('SSS'),
      ];
      const [year, month, day, hours, minutes, seconds, ms] = fields.map((field) => Number(field ?? 0)) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const offset = value('Z');
      if (offset === undefined) {
        return { ts: new Date(year, month - 1, day, hours, minutes, seconds, ms).getTime(), rest };
      }
      const sign = offset.startsWith('-') ? -1 : 1;
      const offsetMinutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
      const utc = Date.UTC(year, month - 1, day, hours, minutes, seconds, ms);
      return { ts: utc - offsetMinutes * 60_000, rest };
    },
  };
}

const isoFormat: DateFormat = {
  format: (ts) => new Date(ts).toISOString(),
  parse(line) {
    const match = ISO_PREFIX.exec(line);
    if (!match) return null;
    const ts = Date.parse(match[1]!);
    return { ts: Number.isNaN(ts) ? null : ts, rest: line.slice(match[0].length) };
  },
};

function tokenize(pattern: string): (string | { token: Token })[] {
  const parts: (string | { token: Token })[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; ) {
    const token = TOKENS.find((candidate) => pattern.startsWith(candidate, i));
    if (token === undefined) {
      literal += pattern[i];
      i += 1;
      continue;
    }
    if (literal) parts.push(literal);
    literal = '';
    parts.push({ token });
    i += token.length;
  }
  if (literal) parts.push(literal);
  return parts;
}

function formatToken(date: Date, token: Token): string {
  switch (token) {
    case 'YYYY':
      return String(date.getFullYear()).padStart(4, '0');
    case 'MM':
      return pad2(date.getMonth() + 1);
    case 'DD':
      return pad2(date.getDate());
    case 'HH':
      return pad2(date.getHours());
    case 'mm':
      return pad2(date.getMinutes());
    case 'ss':
      return pad2(date.getSeconds());
    case 'SSS':
      return String(date.getMilliseconds()).padStart(3, '0');
    case 'Z': {
      const offset = -date.getTimezoneOffset();
      const abs = Math.abs(offset);
      return `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
    }
  }
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
