/** A key written twice in one JSON object: the key, the path of its object, where the second one starts. */
export interface DuplicateJsonKey {
  key: string;
  /** The path of the object holding it (`['apps', 0]`; empty for the top level). */
  path: (string | number)[];
  /** The offset of the second one's opening quote in the text. */
  offset: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * The first key written twice in one object of `text`, a document `JSON.parse` took (which keeps the
 * last value of such a key, silently), or null. One pass over the text: every string is skipped as
 * a whole, and one followed by `:` inside an object is a key of that object. Text that is not JSON
 * (comments, as relaxed-json.ts blanks them, are spaces by then) is not looked at.
 */
export function findDuplicateJsonKey(text: string): DuplicateJsonKey | null {
  /** Open objects (`keys`: their keys so far, `at`: the latest) and arrays (`at`: the index). */
  const frames: { keys: Set<string> | null; at: string | number }[] = [];
  const length = text.length;
  for (let i = 0; i < length; i += 1) {
    const ch = text.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (ch === QUOTE) {
      const start = i;
      i += 1;
      while (i < length && text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1;
      if (top === undefined || top.keys === null) continue;
      let next = i + 1;
      while (next < length && isSpace(text.charCodeAt(next))) next += 1;
      if (text.charCodeAt(next) !== COLON) continue;
      const raw = text.slice(start + 1, i);
      // "a" and "\u0061" are the same key
      const key = raw.includes('\\') ? (JSON.parse(text.slice(start, i + 1)) as string) : raw;
      if (top.keys.has(key)) {
        return { key, path: frames.slice(0, -1).map((frame) => frame.at), offset: start };
      }
      top.keys.add(key);
      top.at = key;
    } else if (ch === 0x7b) frames.push({ keys: new Set(), at: '' });
    else if (ch === 0x5b) frames.push({ keys: null, at: 0 });
    else if (ch === 0x7d || ch === 0x5d) frames.pop();
    else if (ch === COMMA && top !== undefined && top.keys === null) top.at = (top.at as number) + 1;
  }
  return null;
}

function isSpace(ch: number): boolean {
  return ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09;
}
