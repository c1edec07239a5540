import type { MaskOptions } from './masks.js';
import { TOKEN_LITERAL } from './token-buffer.js';
import { Tokenizer, withoutC1 } from './tokenizer.js';

/** A function that masks the variable parts of a line. */
export type Normalizer = (line: string) => string;

/**
 * Builds a normaliser: IPs (v4/v6, with port), numbers, hex, UUIDs, timestamps, durations, sizes, paths,
 * URLs, e-mails, host names and quoted strings become placeholders; spacing is kept.
 */
export function createNormalizer(masks: MaskOptions = {}): Normalizer {
  const tokenizer = new Tokenizer({ masks });
  return (raw) => {
    let line = raw;
    let b = tokenizer.tokenize(line);
    // without the C1 controls of a line without ESC or CSI, as `stripAnsi` leaves a line with one
    if (b.hasC1) {
      line = withoutC1(line);
      b = tokenizer.tokenize(line);
    }
    let out = '';
    let last = 0;
    // Past the token limit the rest of a huge line is kept as written rather than dropped.
    const count = b.truncated ? b.count - 1 : b.count;
    for (let i = 0; i < count; i++) {
      const start = b.start[i]!;
      out += line.slice(last, start);
      out += b.kind[i] === TOKEN_LITERAL ? line.slice(start, b.end[i]) : b.norm[i];
      last = b.end[i]!;
    }
    return out + line.slice(last);
  };
}

const defaultNormalizer = createNormalizer();

/**
 * Masks the variable parts of a line with the default masks.
 *
 * @example
 * normalizeLine('GET /api/users/42 from 10.0.0.7:51234 took 35ms');
 * // 'GET <path> from <ip> took <dur>'
 */
export function normalizeLine(line: string): string {
  return defaultNormalizer(line);
}
