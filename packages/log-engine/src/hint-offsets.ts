/**
 * The offsets of the first match of `pattern` (global) in each line of `text` that has one, ascending:
 * the scan goes on at the next line after a match (one hint per line is all a reader needs).
 */
export function lineHits(text: string, pattern: RegExp): number[] {
  const hits: number[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    hits.push(m.index);
    const newline = text.indexOf('\n', m.index);
    if (newline === -1) break;
    pattern.lastIndex = newline + 1;
  }
  return hits;
}

/** Two ascending lists as one (no comparator sort: the lists can hold a hint per line of a large chunk). */
export function mergeSorted(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
