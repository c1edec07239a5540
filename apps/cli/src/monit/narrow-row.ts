import type { AnsiCode } from './ink-output.js';
import { isNarrow } from './narrow-width.js';

/** Characters of a line that share one style: the ANSI codes in force where they stand. */
export interface StyledRun {
  text: string;
  styles: AnsiCode[];
}

/** What narrow rows need from `@alcalzone/ansi-tokenize` (injected by the bundle, as for ink-output.ts). */
export interface NarrowRowDependencies {
  tokenize(text: string): unknown[];
  reduceAnsiCodesIncremental(codes: AnsiCode[], newCodes: AnsiCode[]): AnsiCode[];
  diffAnsiCodes(from: AnsiCode[], to: AnsiCode[]): AnsiCode[];
  ansiCodesToString(codes: AnsiCode[]): string;
}

/** Where a row gets a line of text: its column and the line, transformers applied. */
export interface Placement {
  x: number;
  line: string;
}

/** Whether two style lists hold the same codes in the same order (their diff is then empty). */
export function isSameStyle(a: AnsiCode[], b: AnsiCode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] as AnsiCode;
    const y = b[index] as AnsiCode;
    if (x.code !== y.code || x.endCode !== y.endCode) return false;
  }
  return true;
}

const NO_STYLES: AnsiCode[] = [];
const ESC = 0x1b;
const BRACKET = 0x5b;
const LETTER_M = 0x6d;
const SEMICOLON = 0x3b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Distinct SGR sequences kept with their tokens (monit draws a few dozen; logs may bring more). */
const MAX_SEQUENCES = 512;

/**
 * Rows of ink's grid made of narrow characters (narrow-width.ts) and SGR colour codes only, the text of
 * nearly every row monit draws, built from runs of characters instead of one styled-character object
 * per cell: ink tokenizes every character of every line (an object each, its styles copied), which was
 * the larger part of the first frame (~10 ms of Node 24's ~25). The text is the one ink makes (the
 * tests compare the two); any other row (wide characters, other escapes, a line past the row's end)
 * gets `undefined` and is built the general way.
 */
export function createNarrowRows(deps: NarrowRowDependencies) {
  const sequences = new Map<string, AnsiCode[] | null>();

  /** The codes of one SGR sequence as ink's tokenizer splits it, or null when it reads something else. */
  const codesOf = (sequence: string): AnsiCode[] | null => {
    let codes = sequences.get(sequence);
    if (codes !== undefined) return codes;
    const tokens = deps.tokenize(sequence) as ({ type: string } & AnsiCode)[];
    codes = tokens.every((token) => token.type === 'ansi') ? tokens : null;
    if (sequences.size >= MAX_SEQUENCES) sequences.clear();
    sequences.set(sequence, codes);
    return codes;
  };

  /** The runs of `line`, or null when a character is not narrow or an escape is not an SGR sequence. */
  const runsOf = (line: string): StyledRun[] | null => {
    const runs: StyledRun[] = [];
    let styles = NO_STYLES;
    let start = 0;
    let index = 0;
    while (index < line.length) {
      const code = line.charCodeAt(index);
      if (code !== ESC) {
        if (!isNarrow(code)) return null;
        index += 1;
        continue;
      }
      // ESC [ (digits and semicolons) m, as ink's tokenizer reads an SGR sequence
      if (line.charCodeAt(index + 1) !== BRACKET) return null;
      let end = index + 2;
      for (let c = line.charCodeAt(end); c === SEMICOLON || (c >= DIGIT_0 && c <= DIGIT_9); ) {
        end += 1;
        c = line.charCodeAt(end);
      }
      if (line.charCodeAt(end) !== LETTER_M) return null;
      const codes = codesOf(line.slice(index, end + 1));
      if (codes === null) return null;
      if (index > start) runs.push({ text: line.slice(start, index), styles });
      for (const one of codes) styles = deps.reduceAnsiCodesIncremental(styles, [one]);
      index = end + 1;
      start = index;
    }
    if (index > start) runs.push({ text: line.slice(start, index), styles });
    return runs;
  };

  /**
   * The text of a row `width` cells wide with `placements` written in order, as ink makes it, or
   * undefined when a placement is not made of narrow runs or does not fit in the row.
   */
  const buildRow = (
    width: number,
    placements: Placement[],
    runsOfLine: (line: string) => StyledRun[] | null = runsOf,
  ): string | undefined => {
    const chars: string[] = [];
    const styles: AnsiCode[][] = [];
    for (let x = 0; x < width; x += 1) {
      chars.push(' ');
      styles.push(NO_STYLES);
    }
    for (const { x, line } of placements) {
      const runs = runsOfLine(line);
      if (runs === null) return undefined;
      let at = x;
      for (const run of runs) {
        if (at < 0 || at + run.text.length > width) return undefined;
        for (let index = 0; index < run.text.length; index += 1) {
          chars[at + index] = run.text.charAt(index);
          styles[at + index] = run.styles;
        }
        at += run.text.length;
      }
    }
    // as ansi-tokenize's styledCharsToString: codes where the style changes, and a reset at the end
    let text = '';
    let before: AnsiCode[] | undefined;
    for (let index = 0; index < chars.length; index += 1) {
      const current = styles[index] as AnsiCode[];
      if (before === undefined) text += deps.ansiCodesToString(current);
      else if (!isSameStyle(before, current))
        text += deps.ansiCodesToString(deps.diffAnsiCodes(before, current));
      text += chars[index];
      before = current;
    }
    if (before !== undefined && before.length > 0)
      text += deps.ansiCodesToString(deps.diffAnsiCodes(before, []));
    return text.trimEnd();
  };

  return { runsOf, buildRow };
}
