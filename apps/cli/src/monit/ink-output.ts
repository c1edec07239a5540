import { createNarrowRows, isSameStyle, type Placement, type StyledRun } from './narrow-row.js';

/**
 * ink's `Output` (ink/build/output.js: the grid a frame is drawn into, turned into the frame's text),
 * rebuilt so that an unchanged line of the screen costs almost nothing: monit's bundle puts it in
 * place of ink's (monit-build.ts). ink builds every cell of the screen and re-reads the ANSI codes of
 * every text at each frame, ~4000 cells at 100×40, and that was most of an idle monit's CPU. Here a
 * row whose writes are the same as in the frame before gives the same text without being built again,
 * and the tokens and widths of texts are kept from one frame to the next. The text of a row is made
 * exactly as ink makes it (test/monit/ink-output.test.ts compares the two).
 */

/** An ANSI style code of a styled character (from `@alcalzone/ansi-tokenize`). */
export interface AnsiCode {
  code: string;
  endCode: string;
}

/** A styled character of a line (from `@alcalzone/ansi-tokenize`). */
export interface StyledChar {
  type: 'char';
  value: string;
  fullWidth: boolean;
  styles: AnsiCode[];
}

/** What the output needs from the libraries ink's Output uses (injected by the bundle). */
export interface OutputDependencies {
  sliceAnsi(text: string, start: number, end?: number): string;
  stringWidth(text: string): number;
  tokenize(text: string): unknown[];
  styledCharsFromTokens(tokens: unknown[]): StyledChar[];
  diffAnsiCodes(from: AnsiCode[], to: AnsiCode[]): AnsiCode[];
  ansiCodesToString(codes: AnsiCode[]): string;
  reduceAnsiCodesIncremental(codes: AnsiCode[], newCodes: AnsiCode[]): AnsiCode[];
}

/** A transformer of ink's `<Transform>`: a line and its index to the line shown. */
export type OutputTransformer = (line: string, index: number) => string;

/** A clip region of ink's Output (a side left undefined does not clip). */
export interface OutputClip {
  x1: number | undefined;
  x2: number | undefined;
  y1: number | undefined;
  y2: number | undefined;
}

/** ink's Output: the same constructor, methods and result. */
export interface InkOutput {
  readonly width: number;
  readonly height: number;
  write(x: number, y: number, text: string, options: { transformers: OutputTransformer[] }): void;
  clip(clip: OutputClip): void;
  unclip(): void;
  get(): { output: string; height: number };
}

type Operation =
  | { type: 'write'; x: number; y: number; text: string; transformers: OutputTransformer[] }
  | { type: 'clip'; clip: OutputClip }
  | { type: 'unclip' };

/**
 * A map of one frame and the frame before: what the last two frames used stays, the rest goes, so
 * the caches cannot grow with the texts monit shows over hours.
 */
class TwoFrameCache<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();

  get(key: string, make: (key: string) => V): V {
    let value = this.current.get(key);
    if (value !== undefined) return value;
    value = this.previous.get(key);
    if (value === undefined) value = make(key);
    this.current.set(key, value);
    return value;
  }

  nextFrame(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

/** Makes ink's Output class over `deps`; the caches live as long as the class (one per bundle). */
export function createOutputClass(
  deps: OutputDependencies,
): new (options: {
  width: number;
  height: number;
}) => InkOutput {
  const widths = new TwoFrameCache<number>();
  const styledChars = new TwoFrameCache<StyledChar[]>();
  const rowTexts = new TwoFrameCache<string>();
  const runs = new TwoFrameCache<StyledRun[] | null>();
  const narrowRows = createNarrowRows(deps);
  const runsOf = (line: string) => runs.get(line, narrowRows.runsOf);
  const stringWidth = (text: string) => widths.get(text, deps.stringWidth);
  const widestLine = (text: string) => {
    let width = 0;
    for (const line of text.split('\n')) width = Math.max(width, stringWidth(line));
    return width;
  };
  const charsOf = (line: string) =>
    styledChars.get(line, (key) => deps.styledCharsFromTokens(deps.tokenize(key)));

  /** The text of one row: ink's grid row, its writes placed in order, as ink turns it into text. */
  const buildRow = (width: number, placements: Placement[]): string =>
    narrowRows.buildRow(width, placements, runsOf) ?? buildAnyRow(width, placements);

  /** buildRow for any text: a styled character per cell, as in ink. */
  const buildAnyRow = (width: number, placements: Placement[]): string => {
    const row: (StyledChar | undefined)[] = [];
    for (let x = 0; x < width; x += 1) row.push({ type: 'char', value: ' ', fullWidth: false, styles: [] });
    for (const { x, line } of placements) {
      let offsetX = x;
      for (const character of charsOf(line)) {
        row[offsetX] = character;
        const characterWidth = Math.max(1, stringWidth(character.value));
        for (let index = 1; index < characterWidth; index += 1) {
          row[offsetX + index] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
        }
        offsetX += characterWidth;
      }
    }
    return charsToString(row.filter((item): item is StyledChar => item !== undefined)).trimEnd();
  };

  /**
   * ansi-tokenize's styledCharsToString, which compares the styles of every character with the one
   * before (three sets and five arrays per cell): two characters of the same styles need no codes
   * between them, so the comparison is made only where the styles change.
   */
  const charsToString = (chars: StyledChar[]): string => {
    let text = '';
    for (let index = 0; index < chars.length; index += 1) {
      const char = chars[index] as StyledChar;
      if (index === 0) text += deps.ansiCodesToString(char.styles);
      else {
        const before = (chars[index - 1] as StyledChar).styles;
        if (!isSameStyle(before, char.styles))
          text += deps.ansiCodesToString(deps.diffAnsiCodes(before, char.styles));
      }
      text += char.value;
      if (index === chars.length - 1 && char.styles.length > 0) {
        text += deps.ansiCodesToString(deps.diffAnsiCodes(char.styles, []));
      }
    }
    return text;
  };

  return class Output implements InkOutput {
    readonly width: number;
    readonly height: number;
    private readonly operations: Operation[] = [];

    constructor(options: { width: number; height: number }) {
      this.width = options.width;
      this.height = options.height;
    }

    write(x: number, y: number, text: string, options: { transformers: OutputTransformer[] }): void {
      if (!text) return;
      this.operations.push({ type: 'write', x, y, text, transformers: options.transformers });
    }

    clip(clip: OutputClip): void {
      this.operations.push({ type: 'clip', clip });
    }

    unclip(): void {
      this.operations.push({ type: 'unclip' });
    }

    get(): { output: string; height: number } {
      const rows: Placement[][] = [];
      for (let y = 0; y < this.height; y += 1) rows.push([]);
      const clips: OutputClip[] = [];
      for (const operation of this.operations) {
        if (operation.type === 'clip') clips.push(operation.clip);
        if (operation.type === 'unclip') clips.pop();
        if (operation.type === 'write') this.place(operation, clips.at(-1), rows);
      }
      // a row is keyed by its writes: the same writes make the same text
      const width = String(this.width);
      const lines = rows.map((placements) => {
        let key = width;
        for (const { x, line } of placements) key += `\u0000${x}\u0000${line.length}\u0000${line}`;
        return rowTexts.get(key, () => buildRow(this.width, placements));
      });
      widths.nextFrame();
      styledChars.nextFrame();
      runs.nextFrame();
      rowTexts.nextFrame();
      return { output: lines.join('\n'), height: rows.length };
    }

    /** ink's clipping of one write, its lines given to the rows they land on. */
    private place(
      operation: Extract<Operation, { type: 'write' }>,
      clip: OutputClip | undefined,
      rows: Placement[][],
    ): void {
      const { text, transformers } = operation;
      let { x, y } = operation;
      let lines = text.split('\n');
      if (clip) {
        const clipHorizontally = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
        const clipVertically = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
        if (clipHorizontally) {
          const width = widestLine(text);
          if (x + width < (clip.x1 as number) || x > (clip.x2 as number)) return;
        }
        if (clipVertically) {
          if (y + lines.length < (clip.y1 as number) || y > (clip.y2 as number)) return;
        }
        if (clipHorizontally) {
          const x1 = clip.x1 as number;
          const x2 = clip.x2 as number;
          lines = lines.map((line) => {
            const from = x < x1 ? x1 - x : 0;
            const width = stringWidth(line);
            const to = x + width > x2 ? x2 - x : width;
            return deps.sliceAnsi(line, from, to);
          });
          if (x < x1) x = x1;
        }
        if (clipVertically) {
          const y1 = clip.y1 as number;
          const y2 = clip.y2 as number;
          const from = y < y1 ? y1 - y : 0;
          const height = lines.length;
          const to = y + height > y2 ? y2 - y : height;
          lines = lines.slice(from, to);
          if (y < y1) y = y1;
        }
      }
      // as in ink: a line whose row is off the grid is skipped and the rows after it are not advanced to
      let offsetY = 0;
      for (const [index, original] of lines.entries()) {
        const row = rows[y + offsetY];
        if (!row) continue;
        let line = original;
        for (const transformer of transformers) line = transformer(line, index);
        row.push({ x, line });
        offsetY += 1;
      }
    }
  };
}
