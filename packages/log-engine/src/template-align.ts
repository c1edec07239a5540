import type { Cluster } from './template-cluster.js';
import { TOKEN_LITERAL, TOKEN_VARIABLE } from './token-buffer.js';

// Longest common subsequence of a template and a line of another token count, like Spell: the line is the
// same event when what does not line up is values of another shape (LOCAL(0) where an address was, a
// command of three words where one of two was, a longer list).
const MAX_TOKENS = 64;
const table = new Int32Array((MAX_TOKENS + 1) * (MAX_TOKENS + 1));

/** The tokens of a line, or of another template. */
export interface AlignTokens {
  count: number;
  norm: ArrayLike<string>;
  kind: ArrayLike<number>;
}

function tokenMatches(cluster: Cluster, i: number, b: AlignTokens, j: number): boolean {
  // `<*>` takes anything; a placeholder takes the same placeholder; a word the same word.
  return (cluster.kind[i] === TOKEN_VARIABLE && cluster.norm[i] === '<*>') || cluster.norm[i] === b.norm[j];
}

function isWord(norm: string): boolean {
  return norm.length > 1 || /[A-Za-z0-9]/.test(norm);
}

/**
 * True when line `b` is an instance of `cluster` (another token count) once values of other shapes are
 * allowed: every stretch that does not line up holds a value, a stretch missing on one side holds no plain
 * word, at most one plain word in all is left out, at least two words and two thirds of the template's
 * words line up.
 */
export function alignsWith(cluster: Cluster, b: AlignTokens): boolean {
  const m = cluster.norm.length;
  const n = b.count;
  if (m > MAX_TOKENS || n > MAX_TOKENS || m === 0 || n === 0) return false;
  const w = n + 1;
  for (let j = 0; j <= n; j++) table[m * w + j] = 0;
  for (let i = m - 1; i >= 0; i--) {
    table[i * w + n] = 0;
    for (let j = n - 1; j >= 0; j--) {
      table[i * w + j] = tokenMatches(cluster, i, b, j)
        ? table[(i + 1) * w + j + 1]! + 1
        : Math.max(table[(i + 1) * w + j]!, table[i * w + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  let words = 0;
  let matchedWords = 0;
  let strayWords = 0;
  // The current unmatched stretch: does it hold a value, plain words, tokens on each side.
  let gapValue = false;
  let gapWords = 0;
  let insertions = 0;
  let gapLeft = false;
  let gapRight = false;
  // A stretch must hold a value; one missing on a side (an insertion) holds no plain word.
  const closeGap = (): boolean => {
    const ok = !(gapLeft || gapRight) || (gapValue && ((gapLeft && gapRight) || gapWords === 0));
    if (gapLeft !== gapRight) insertions++;
    gapValue = false;
    gapWords = 0;
    gapLeft = false;
    gapRight = false;
    return ok;
  };
  const stray = (kind: number, norm: string, left: boolean): void => {
    if (left) gapLeft = true;
    else gapRight = true;
    if (kind !== TOKEN_LITERAL) gapValue = true;
    else if (isWord(norm)) {
      gapWords++;
      strayWords++;
    }
  };
  while (i < m || j < n) {
    if (
      i < m &&
      j < n &&
      tokenMatches(cluster, i, b, j) &&
      table[i * w + j] === table[(i + 1) * w + j + 1]! + 1
    ) {
      if (!closeGap()) return false;
      if (cluster.kind[i] !== TOKEN_VARIABLE && isWord(cluster.norm[i]!)) {
        words++;
        matchedWords++;
      }
      i++;
      j++;
    } else if (i < m && (j >= n || table[(i + 1) * w + j]! >= table[i * w + j + 1]!)) {
      if (cluster.kind[i] !== TOKEN_VARIABLE && isWord(cluster.norm[i]!)) words++;
      stray(cluster.kind[i]!, cluster.norm[i]!, true);
      i++;
    } else {
      stray(b.kind[j]!, b.norm[j]!, false);
      j++;
    }
    if (strayWords > 1) return false;
  }
  if (!closeGap()) return false;
  // A template of a single word (`at <*> (<path>:<num>:<num>)`) aligns only when values stand for values of
  // another shape: nothing added or left out (`REPORT : <num> <num>` is not `REPORT : <num> <num> <num>`).
  if (matchedWords === 1) return words === 1 && strayWords === 0 && insertions === 0;
  return matchedWords >= 2 && matchedWords * 3 >= words * 2;
}
