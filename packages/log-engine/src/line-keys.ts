import { TOKEN_LITERAL, TOKEN_VARIABLE, type TokenBuffer } from './token-buffer.js';

/** The leaf of the miner's tree a tokenised line falls in: its token count and first token (`*` when masked). */
export function leafKeyOf(b: TokenBuffer): string {
  const first = b.count > 0 && b.kind[0] !== TOKEN_VARIABLE ? b.norm[0] : '*';
  return `${b.count}\u0001${first}`;
}

/**
 * The cache key of a tokenised line: runs of plain words as written, masked tokens as their placeholder
 * after a U+FFFF marker (which keeps a literal "<num>" apart from a masked number).
 */
export function lineKey(b: TokenBuffer, line: string): string {
  let key = '';
  let runStart = -1;
  let runEnd = -1;
  for (let i = 0; i < b.count; i++) {
    if (b.kind[i] === TOKEN_LITERAL) {
      if (runStart < 0) runStart = b.start[i]!;
      runEnd = b.end[i]!;
      continue;
    }
    if (runStart >= 0) {
      key += line.slice(runStart, runEnd);
      runStart = -1;
    }
    key += b.listed[i] === 1 ? `\uffff${b.norm[i]}\ufffe` : `\uffff${b.norm[i]}`;
  }
  return runStart >= 0 ? key + line.slice(runStart, runEnd) : key;
}
