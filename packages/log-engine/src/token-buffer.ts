/** A plain word. */
export const TOKEN_LITERAL = 0;
/** A word with masked parts inside, such as `blk_<num>`. */
export const TOKEN_MASKED = 1;
/** A whole masked value, such as `<ip>`. */
export const TOKEN_VARIABLE = 2;

/** The tokens of one line, in buffers reused by the next call. */
export interface TokenBuffer {
  count: number;
  /** Normalised text of each token: the word, the word with inner masks, or the placeholder. */
  norm: string[];
  kind: Uint8Array;
  /** Raw span of each token in the line (a collapsed list spans all its items). */
  start: Int32Array;
  end: Int32Array;
  /** 1 when whitespace precedes the token. */
  spaced: Uint8Array;
  /** 1 when the token stands for a list of identical masked items (`blk_<num> blk_<num> …`). */
  listed: Uint8Array;
  /** True when the line had more than `maxTokens` tokens: the last token is a `<*>` holding the rest. */
  truncated: boolean;
  /**
   * True when a word of the line holds a C1 control (U+0080–U+009F), which a template must not keep: the
   * caller tokenises the line again without them (`withoutC1`). Found by the scan of the words, at no cost
   * to other lines.
   */
  hasC1: boolean;
}

/** A token buffer with room for `capacity` tokens. */
export function newBuffer(capacity: number): TokenBuffer {
  return {
    count: 0,
    norm: new Array<string>(capacity).fill(''),
    kind: new Uint8Array(capacity),
    start: new Int32Array(capacity),
    end: new Int32Array(capacity),
    spaced: new Uint8Array(capacity),
    listed: new Uint8Array(capacity),
    truncated: false,
    hasC1: false,
  };
}

/** Doubles the capacity of a token buffer, keeping its tokens. */
export function grow(b: TokenBuffer): void {
  const capacity = b.kind.length * 2;
  const kind = new Uint8Array(capacity);
  kind.set(b.kind);
  b.kind = kind;
  const start = new Int32Array(capacity);
  start.set(b.start);
  b.start = start;
  const end = new Int32Array(capacity);
  end.set(b.end);
  b.end = end;
  const spaced = new Uint8Array(capacity);
  spaced.set(b.spaced);
  b.spaced = spaced;
  const listed = new Uint8Array(capacity);
  listed.set(b.listed);
  b.listed = listed;
}
