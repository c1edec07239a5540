/** The lexical rules a `FlowLexer` follows: JSON (with PM2's comments), YAML's flow style, or TOML. */
export type FlowSyntax = 'json' | 'yaml' | 'toml';

/** The kinds of token `FlowLexer.next` returns. */
export const Token = {
  END: 0,
  /** A string or comment that does not end, or another character the lexer cannot read. */
  ERROR: 1,
  OPEN_LIST: 2,
  CLOSE_LIST: 3,
  OPEN_MAP: 4,
  CLOSE_MAP: 5,
  COMMA: 6,
  /** `:` of JSON, YAML's value indicator, TOML's `=`. */
  SEPARATOR: 7,
  /** A quoted string, or a run of other characters (a number, a YAML plain scalar, a TOML bare key). */
  SCALAR: 8,
} as const;

/** A token kind. */
export type TokenKind = (typeof Token)[keyof typeof Token];

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;
const HASH = 0x23;
const COLON = 0x3a;
const EQUALS = 0x3d;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function isFlowIndicator(c: number): boolean {
  return c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === COMMA;
}

/**
 * The tokens of a config file's brackets, braces, separators and scalars, with strings and comments
 * read by the format's rules, so that a bracket inside a string or a comment is never taken for one
 * of the document's. Made for counting the entries of a list without parsing the file (a character
 * loop, no values built); `start` and `end` delimit the last token, `isLineStart` says whether a line
 * break came before it.
 */
export class FlowLexer {
  start = 0;
  end = 0;
  isLineStart = true;
  private pos: number;
  /** YAML: the next character begins a node (a quote there opens a quoted scalar). */
  private isNodeStart = true;
  /** YAML: the last token was a quoted scalar or a closing bracket (`"a":b` needs no space). */
  private isJsonLike = false;

  constructor(
    private readonly text: string,
    private readonly syntax: FlowSyntax,
    from = 0,
  ) {
    this.pos = from;
  }

  /** The next token's kind; END at the end of the text. */
  next(): TokenKind {
    const kind = this.read();
    if (this.syntax === 'yaml') {
      const isStructural = kind !== Token.SCALAR;
      // a node begins after `[`, `{`, `,` and `:`; a closing bracket or a quote lets `:` follow it
      this.isNodeStart = isStructural && kind !== Token.CLOSE_LIST && kind !== Token.CLOSE_MAP;
      this.isJsonLike =
        kind === Token.CLOSE_LIST ||
        kind === Token.CLOSE_MAP ||
        (kind === Token.SCALAR && this.isQuoted(this.start));
    }
    return kind;
  }

  /** The text of the last token. */
  tokenText(): string {
    return this.text.slice(this.start, this.end);
  }

  private isQuoted(at: number): boolean {
    const c = this.text.charCodeAt(at);
    return c === QUOTE || c === APOSTROPHE;
  }

  private read(): TokenKind {
    this.isLineStart = this.pos === 0;
    for (;;) {
      const kind = this.readOne();
      // a YAML tag or anchor was passed over: the node it belongs to comes next
      if (kind !== null) return kind;
    }
  }

  private readOne(): TokenKind | null {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (Number.isNaN(c)) return this.token(this.pos, Token.END);
      if (c === LF) this.isLineStart = true;
      if (isSpace(c)) {
        this.pos += 1;
        continue;
      }
      if (this.isCommentStart(c)) {
        if (!this.skipComment(c)) return this.token(text.length, Token.ERROR);
        continue;
      }
      break;
    }
    const at = this.pos;
    const c = text.charCodeAt(at);
    switch (c) {
      case 0x5b:
        return this.token(at + 1, Token.OPEN_LIST);
      case 0x5d:
        return this.token(at + 1, Token.CLOSE_LIST);
      case 0x7b:
        return this.token(at + 1, Token.OPEN_MAP);
      case 0x7d:
        return this.token(at + 1, Token.CLOSE_MAP);
      case COMMA:
        return this.token(at + 1, Token.COMMA);
    }
    if (this.syntax === 'yaml') return this.readYaml(at, c);
    if ((c === COLON && this.syntax === 'json') || (c === EQUALS && this.syntax === 'toml'))
      return this.token(at + 1, Token.SEPARATOR);
    if (c === QUOTE || c === APOSTROPHE) {
      const end = this.syntax === 'toml' ? this.tomlStringEnd(at) : this.jsonStringEnd(at);
      return end === -1 ? this.token(text.length, Token.ERROR) : this.token(end, Token.SCALAR);
    }
    let end = at + 1;
    while (end < text.length && !this.endsBareRun(end)) end += 1;
    return this.token(end, Token.SCALAR);
  }

  private token(end: number, kind: TokenKind): TokenKind {
    this.start = this.pos;
    this.end = end;
    this.pos = end;
    return kind;
  }

  private isCommentStart(c: number): boolean {
    if (this.syntax === 'json') {
      const after = this.text.charCodeAt(this.pos + 1);
      return c === SLASH && (after === SLASH || after === STAR);
    }
    if (c !== HASH) return false;
    // YAML: `#` opens a comment after a space or at a line's start only (`a#b` is a scalar)
    return this.syntax === 'toml' || this.pos === 0 || isSpace(this.text.charCodeAt(this.pos - 1));
  }

  /** Moves past a comment; false for a `/*` comment that never ends. */
  private skipComment(c: number): boolean {
    const { text } = this;
    if (c === SLASH && text.charCodeAt(this.pos + 1) === STAR) {
      const end = text.indexOf('*/', this.pos + 2);
      if (end === -1) return false;
      this.pos = end + 2;
      return true;
    }
    const end = text.indexOf('\n', this.pos);
    this.pos = end === -1 ? text.length : end;
    return true;
  }

  /** True where a run of bare characters (a number, a key, `true`) ends in JSON or TOML. */
  private endsBareRun(at: number): boolean {
    const c = this.text.charCodeAt(at);
    if (isSpace(c) || isFlowIndicator(c) || c === QUOTE || c === APOSTROPHE) return true;
    if (this.syntax === 'toml') return c === EQUALS || c === HASH;
    return c === COLON || this.isCommentStartAt(at);
  }

  private isCommentStartAt(at: number): boolean {
    const after = this.text.charCodeAt(at + 1);
    return this.text.charCodeAt(at) === SLASH && (after === SLASH || after === STAR);
  }

  /** The index past a JSON string (`"`, backslash escapes; PM2's files too take no other quote). */
  private jsonStringEnd(at: number): number {
    if (this.text.charCodeAt(at) !== QUOTE) return -1;
    return closingQuote(this.text, at + 1, '"', true);
  }

  /** The index past a TOML string: basic or literal, on one line or multi-line (`"""`, `'''`). */
  private tomlStringEnd(at: number): number {
    const { text } = this;
    const quote = text.charCodeAt(at);
    const isBasic = quote === QUOTE;
    const delimiter = isBasic ? '"""' : "'''";
    if (text.startsWith(delimiter, at)) {
      for (let i = at + 3; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        if (isBasic && c === BACKSLASH) i += 1;
        else if (c === quote && text.startsWith(delimiter, i)) {
          // up to two quotes may end the content right before the closing three
          let end = i + 3;
          while (end < i + 5 && text.charCodeAt(end) === quote) end += 1;
          return end;
        }
      }
      return -1;
    }
    return closingQuote(text, at + 1, isBasic ? '"' : "'", isBasic);
  }

  private readYaml(at: number, c: number): TokenKind | null {
    const { text } = this;
    if (c === COLON && (this.isJsonLike || this.endsPlain(at + 1)))
      return this.token(at + 1, Token.SEPARATOR);
    if (this.isNodeStart) {
      if (c === QUOTE || c === APOSTROPHE) {
        const end = this.yamlQuotedEnd(at, c);
        return end === -1 ? this.token(text.length, Token.ERROR) : this.token(end, Token.SCALAR);
      }
      // a tag, an anchor or an explicit key's `?` comes before the node: it still begins after them
      if (c === 0x21 || c === 0x26 || (c === 0x3f && this.endsPlain(at + 1))) {
        let end = at + 1;
        while (end < text.length && !isSpace(text.charCodeAt(end)) && !isFlowIndicator(text.charCodeAt(end)))
          end += 1;
        this.pos = end;
        return null;
      }
    }
    // a plain scalar's run of characters, up to a space, a flow indicator or a value indicator
    let end = at + 1;
    for (; end < text.length; end += 1) {
      const ch = text.charCodeAt(end);
      if (isSpace(ch) || isFlowIndicator(ch)) break;
      if (ch === COLON && this.endsPlain(end + 1)) break;
    }
    return this.token(end, Token.SCALAR);
  }

  /** YAML: true when the character at `at` ends a plain scalar before it (a space, a flow indicator, the end). */
  private endsPlain(at: number): boolean {
    const c = this.text.charCodeAt(at);
    return Number.isNaN(c) || isSpace(c) || isFlowIndicator(c);
  }

  /** The index past a YAML quoted scalar: `"` with backslash escapes, `'` with `''`; both span lines. */
  private yamlQuotedEnd(at: number, quote: number): number {
    const { text } = this;
    for (let i = at + 1; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (quote === QUOTE && c === BACKSLASH) i += 1;
      else if (c === quote) {
        if (quote === APOSTROPHE && text.charCodeAt(i + 1) === APOSTROPHE) i += 1;
        else return i + 1;
      }
    }
    return -1;
  }
}

/**
 * The index past the quote that closes a one-line string whose text starts at `from` (found by
 * indexOf: a long string costs no loop per character); -1 when a line ends first or it never closes.
 */
function closingQuote(text: string, from: number, quote: string, hasEscapes: boolean): number {
  for (let at = text.indexOf(quote, from); at !== -1; at = text.indexOf(quote, at + 1)) {
    // a quote after an odd run of backslashes is escaped
    let backslashes = 0;
    while (hasEscapes && text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 !== 0) continue;
    // the string's own text is looked through once: no line break may be in it
    return text.slice(from, at).includes('\n') ? -1 : at + 1;
  }
  return -1;
}
