import { startsEventAlone } from '@velos/log-engine';

/** Lines parsed again before one line at most; beyond, the line is judged from what was parsed before. */
export const MAX_REPLAY_LINES = 1000;

/**
 * Keeps a record parser's judgement of the lines a pass parses exact when the pass leaves lines out (a
 * sample, a `--grep`): whether a line continues the event before it (a logged exception under an
 * `ERROR …` line) depends on the lines before it in its file, so before parsing a line that does not
 * `startsEventAlone`, the lines left out since the last one parsed are parsed again, back to the
 * nearest one that starts an event alone (at most `MAX_REPLAY_LINES`, within the bytes read in one
 * chunk). One instance per file; the parser is taken to stand before its first line.
 */
export class ParseGaps {
  readonly #lineOf: (text: string) => string;
  readonly #replay: (line: string) => void;
  /** Offset in the file of the line after the last one parsed (the parser starts before the first line). */
  #nextOffset = 0;
  /** True while the parser's state is what a pass over every line would have made it. */
  #isExact = true;

  /**
   * `lineOf` turns a line's text as read from the file into the line the parser reads (without a time
   * prefix the file adds); `replay` parses such a line that was left out, for its effect on the parser.
   */
  constructor(lineOf: (text: string) => string, replay: (line: string) => void) {
    this.#lineOf = lineOf;
    this.#replay = replay;
  }

  /**
   * Call before parsing the line `data[start, end)` at file offset `offset`, `line` the line the parser
   * reads; call `parsed` after. The lines before it in `data` are the lines before it in the file.
   */
  before(data: Buffer, start: number, offset: number, line: string): void {
    const isNext = offset === this.#nextOffset;
    if (isNext && this.#isExact) return;
    if (startsEventAlone(line)) {
      this.#isExact = true;
      return;
    }
    if (isNext) return;
    // walk back over the lines left out, to one that starts an event alone or the last one parsed
    const dataOffset = offset - start;
    const hasFloor = this.#nextOffset >= dataOffset;
    const floor = hasFloor ? this.#nextOffset - dataOffset : 0;
    const left: string[] = [];
    let isFound = false;
    for (let lineEnd = start - 1; lineEnd >= floor && left.length < MAX_REPLAY_LINES; ) {
      const lineStart = lineEnd === 0 ? 0 : data.lastIndexOf(10, lineEnd - 1) + 1;
      const text = this.#lineOf(textOf(data, lineStart, lineEnd));
      left.push(text);
      if (startsEventAlone(text)) {
        isFound = true;
        break;
      }
      if (lineStart <= floor) {
        // the first line left out: the parser stands where the last line parsed left it
        isFound = hasFloor && this.#isExact;
        break;
      }
      lineEnd = lineStart - 1;
    }
    for (let i = left.length - 1; i >= 0; i -= 1) this.#replay(left[i]!);
    this.#isExact = isFound;
  }

  /** Call after parsing the line `data[start, end)` at file offset `offset`. */
  parsed(data: Buffer, start: number, end: number, offset: number): void {
    const newline = data.indexOf(10, end);
    this.#nextOffset = newline === -1 ? -1 : offset + newline + 1 - start;
  }
}

/** The text of the line `data[start, newline)`, without a carriage return. */
function textOf(data: Buffer, start: number, newline: number): string {
  const end = newline > start && data[newline - 1] === 13 ? newline - 1 : newline;
  return data.toString('utf8', start, end);
}
