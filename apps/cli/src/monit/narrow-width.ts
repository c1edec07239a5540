/**
 * The width in terminal columns of `text` when every character in it is one column wide for certain
 * (printable ASCII, Latin-1, and the punctuation, arrows, box and block characters monit draws), else -1.
 *
 * monit's bundle puts it in front of `string-width` (monit-build.ts): ink asks the width of every line and
 * every character of each frame, and `string-width` answers anything beyond ASCII with a grapheme
 * segmenter and a `\p{RGI_Emoji}` regular expression that take ~40 ms to set up. For these characters
 * its answer is always 1 (test/monit/narrow-width.test.ts checks it against both versions ink uses);
 * anything else (emoji, CJK, combining marks, control characters) still goes to `string-width`.
 */
export function narrowWidth(text: string): number {
  for (let index = 0; index < text.length; index += 1) {
    if (!isNarrow(text.charCodeAt(index))) return -1;
  }
  return text.length;
}

/** True for a UTF-16 code unit that is a whole one-column character on its own. */
export function isNarrow(code: number): boolean {
  if (code < 0x7f) return code >= 0x20;
  if (code < 0x2010) return code >= 0xa0 && code <= 0xff && code !== 0xad && code !== 0xa9 && code !== 0xae;
  if (code <= 0x2027) return true; // dashes, quotes, bullets, ellipsis
  if (code >= 0x2500) return code <= 0x259f || code === 0x25b8; // box drawing, blocks, ▸
  return (code >= 0x2190 && code <= 0x2193) || code === 0x21ba || code === 0x2264 || code === 0x2265;
}

/** One grapheme of a text, as `Intl.Segmenter` gives it. */
export interface GraphemeSegment {
  segment: string;
  index: number;
  input: string;
}

/** What `Intl.Segmenter.prototype.segment` returns, as far as ink's ANSI tokenizers use it. */
export interface GraphemeSegments extends Iterable<GraphemeSegment> {
  containing(index: number): GraphemeSegment | undefined;
}

/**
 * A grapheme segmenter for ink's ANSI tokenizers: text made of narrow characters and ANSI codes is one
 * grapheme per code unit (ESC is a control character, a grapheme of its own), split here; anything else
 * goes to the `Intl.Segmenter` that `create` makes on first need (its set-up costs 7–17 ms).
 */
export function createNarrowSegmenter(create: () => Intl.Segmenter): {
  segment(text: string): GraphemeSegments;
} {
  let real: Intl.Segmenter | undefined;
  return {
    segment(text) {
      for (let index = 0; index < text.length; index += 1) {
        const code = text.charCodeAt(index);
        if (code !== 0x1b && !isNarrow(code)) {
          real ??= create();
          return real.segment(text);
        }
      }
      return new UnitSegments(text);
    },
  };
}

/** The graphemes of a text whose every code unit is one. */
class UnitSegments implements GraphemeSegments {
  constructor(private readonly text: string) {}

  containing(index: number): GraphemeSegment | undefined {
    const at = Math.floor(index);
    if (!(at >= 0 && at < this.text.length)) return undefined;
    return { segment: this.text.charAt(at), index: at, input: this.text };
  }

  *[Symbol.iterator](): Iterator<GraphemeSegment> {
    for (let index = 0; index < this.text.length; index += 1) {
      yield { segment: this.text.charAt(index), index, input: this.text };
    }
  }
}
