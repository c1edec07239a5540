/**
 * The text of a PM2 JSON process file with its `//` and `/* *\/` comments and trailing commas blanked
 * out, ready for `JSON.parse`: PM2 evaluates such a file as a JavaScript expression, so these pass
 * there. Every blanked character becomes a space (newlines stay), so a parse error's position and
 * line still point into the file as written; strings are left as they are.
 */
export function relaxJson(text: string): string {
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') out[i++] = ' ';
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (; i < stop; i += 1) if (text[i] !== '\n') out[i] = ' ';
      continue;
    }
    if (ch === ',' && closesAfter(text, i + 1)) out[i] = ' ';
    i += 1;
  }
  return out.join('');
}

/** The index just past the JSON string that starts at `start` (its opening quote). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** True when only whitespace and comments lie between `from` and the next `}` or `]`. */
function closesAfter(text: string, from: number): boolean {
  let i = from;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '}' || ch === ']') return true;
    if (/\s/.test(ch)) i += 1;
    else if (ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else return false;
  }
  return false;
}
