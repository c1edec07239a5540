import { createError, LogEngineErrorCodes } from './errors.js';
import { MASK_PLACEHOLDERS, type MaskName, type MaskOptions } from './masks.js';
import { isRandomId } from './random-id.js';
import { scanTimestamp } from './timestamp.js';
import {
  grow,
  newBuffer,
  TOKEN_LITERAL,
  TOKEN_MASKED,
  TOKEN_VARIABLE,
  type TokenBuffer,
} from './token-buffer.js';
import {
  endsAt,
  isAlnum,
  isDigit,
  isEmail,
  isHexDigit,
  isHostname,
  type NumberKind,
  scanIpv4,
  scanIpv6,
  scanNumber,
  scanPath,
  scanQuoted,
  scanRelativePath,
  scanSpacedUnit,
  scanState,
  scanUrl,
  scanUuid,
} from './token-scanners.js';

/** Options of `Tokenizer`. */
export interface TokenizerOptions {
  masks?: MaskOptions;
  /** Collapse runs of identical masked tokens into one (variable-length lists); default false. */
  collapseLists?: boolean;
  /**
   * Leave the text of plain words out of `norm` (it stays ''), for callers that mostly need the spans;
   * `materialize` fills it in. Default false.
   */
  lazyLiterals?: boolean;
  /** Tokens beyond this count are folded into one trailing `<*>`; default 10 000. */
  maxTokens?: number;
  /**
   * Put an empty `<*>` value between an opening and closing bracket with nothing in them (`()`, `[]`, `{}`),
   * so a field that is sometimes empty keeps the token count of its filled form; default false.
   */
  emptyValues?: boolean;
  /**
   * Quoted strings of at most this many tokens are split into their tokens (the words stay, the values inside
   * are masked: `"GET <path> HTTP/<num>.<num>"`); longer ones (free text) and lone values become `<str>`.
   * Default 0: every quoted string is `<str>`.
   */
  quotedTokens?: number;
}

// = , ; : ( ) [ ] { } | < > split words; quotes only where a token starts.
const DELIMITER = new Uint8Array(128);
for (const ch of '=,;:()[]{}|<>') DELIMITER[ch.charCodeAt(0)] = 1;
const QUOTE = new Uint8Array(128);
for (const ch of '"\'`') QUOTE[ch.charCodeAt(0)] = 1;
const MASK_NAME = /^[A-Za-z][\w-]{0,31}$/;
// The closing bracket of each opening one: ( ) [ ] { }.
const CLOSER = new Uint8Array(128);
CLOSER[40] = 41;
CLOSER[91] = 93;
CLOSER[123] = 125;

const HAS_DIGIT = 1;
const HAS_DOT = 2;
const HAS_AT = 4;
const HAS_SLASH = 8;
/** The flag each character of a word sets (one table read per character, the tokenizer's hottest loop). */
const WORD_FLAG = new Uint8Array(128);
for (let c = 48; c <= 57; c++) WORD_FLAG[c] = HAS_DIGIT;
WORD_FLAG[46] = HAS_DOT;
WORD_FLAG[64] = HAS_AT;
WORD_FLAG[47] = HAS_SLASH;
WORD_FLAG[92] = HAS_SLASH;

function isHexLetter(c: number): boolean {
  return (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** True when a `:` comes within the next five characters, all hex digits before it (an IPv6 start). */
function colonSoon(s: string, p: number): boolean {
  for (let i = p; i < p + 5; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) return true;
    if (!isHexDigit(c)) return false;
  }
  return false;
}

function isBoundary(c: number): boolean {
  return c <= 32 || (c < 128 && DELIMITER[c] === 1) || c === 46;
}

/** Splits a line into tokens and masks variable values, in one pass over its characters. */
export class Tokenizer {
  readonly buffer: TokenBuffer;
  private readonly on: Record<MaskName, boolean>;
  private readonly custom: { placeholder: string; pattern: RegExp }[];
  private readonly collapse: boolean;
  private readonly lazy: boolean;
  private readonly maxTokens: number;
  private readonly emptyValues: boolean;
  private readonly quotedTokens: number;
  private readonly masks: MaskOptions;
  private inner: Tokenizer | undefined;

  constructor(options: TokenizerOptions = {}) {
    const masks = options.masks ?? {};
    this.on = {} as Record<MaskName, boolean>;
    for (const name of Object.keys(MASK_PLACEHOLDERS) as MaskName[]) this.on[name] = masks[name] !== false;
    this.custom = (masks.custom ?? []).map((mask) => {
      if (!MASK_NAME.test(mask.name) || !(mask.pattern instanceof RegExp)) {
        throw createError(
          LogEngineErrorCodes.INVALID_ARGUMENT,
          `masks.custom: expected {name: a word, pattern: a RegExp}, got name ${JSON.stringify(mask.name)}`,
        );
      }
      const flags = mask.pattern.flags.replace(/[gy]/g, '');
      return { placeholder: `<${mask.name}>`, pattern: new RegExp(mask.pattern.source, `${flags}y`) };
    });
    this.collapse = options.collapseLists ?? false;
    this.lazy = options.lazyLiterals ?? false;
    this.maxTokens = Math.max(2, options.maxTokens ?? 10_000);
    this.emptyValues = options.emptyValues ?? false;
    this.quotedTokens = options.quotedTokens ?? 0;
    this.masks = masks;
    this.buffer = newBuffer(64);
  }

  /** Tokenises `line` from index `from`; the returned buffer is overwritten by the next call. */
  tokenize(line: string, from = 0): TokenBuffer {
    const b = this.buffer;
    b.count = 0;
    b.truncated = false;
    b.hasC1 = false;
    const n = line.length;
    let p = from;
    while (p < n) {
      let spaced = 0;
      while (p < n && line.charCodeAt(p) <= 32) {
        p++;
        spaced = 1;
      }
      if (p >= n) break;
      if (b.count >= this.maxTokens - 1) {
        let e = n;
        while (e > p && line.charCodeAt(e - 1) <= 32) e--;
        this.push(b, '<*>', TOKEN_VARIABLE, p, e, spaced);
        b.truncated = true;
        break;
      }
      const c = line.charCodeAt(p);
      let v = this.custom.length > 0 ? this.scanCustom(line, p) : -1;
      if (v < 0 && this.quotedTokens > 0 && c < 128 && QUOTE[c] === 1 && this.on.quoted) {
        const q = scanQuoted(line, p, n, isBoundary);
        if (q > 0) {
          this.pushQuoted(b, line, p, q, spaced);
          p = q;
          continue;
        }
      }
      if (v < 0) v = this.scanValue(line, p, n, c);
      if (v > p) {
        this.push(b, this.lastPlaceholder, TOKEN_VARIABLE, p, v, spaced);
        p = v;
        continue;
      }
      // A slash before a digit starts an address (/10.0.0.1:80), not a word.
      if (
        (c < 128 && (DELIMITER[c] === 1 || QUOTE[c] === 1)) ||
        (c === 47 && isDigit(line.charCodeAt(p + 1)))
      ) {
        this.push(b, line[p]!, TOKEN_LITERAL, p, p + 1, spaced);
        p++;
        // An empty pair of brackets holds a missing value: `()` is `(<*>)` with nothing in it.
        if (this.emptyValues && c < 128 && CLOSER[c] !== 0 && line.charCodeAt(p) === CLOSER[c]) {
          this.push(b, '<*>', TOKEN_VARIABLE, p, p, 0);
        }
        continue;
      }
      // A word: remember whether it holds digits, dots or an @ to skip the masks that cannot apply.
      let w = p;
      let flags = 0;
      while (w < n) {
        const d = line.charCodeAt(w);
        if (d < 128) {
          if (d <= 32 || DELIMITER[d] === 1) break;
          flags |= WORD_FLAG[d]!;
          // C1 controls are in words only (they are not spaces, delimiters or the start of a value)
        } else if (d <= 0x9f) b.hasC1 = true;
        w++;
      }
      v = this.scanWordValue(line, p, w, n, flags);
      if (v > p) {
        this.push(b, this.lastPlaceholder, TOKEN_VARIABLE, p, v, spaced);
        p = v;
        continue;
      }
      p = this.pushWord(b, line, p, w, spaced, flags);
    }
    return b;
  }

  /** Fills in the text of the plain words left out by `lazyLiterals`. */
  materialize(b: TokenBuffer, line: string): void {
    if (!this.lazy) return;
    for (let i = 0; i < b.count; i++) {
      if (b.kind[i] === TOKEN_LITERAL && b.norm[i] === '') b.norm[i] = line.slice(b.start[i], b.end[i]);
    }
  }

  private lastPlaceholder = '';

  /** Pushes the quoted string `s[p, q)`: its quotes and the tokens inside, or `<str>` for free text. */
  private pushQuoted(b: TokenBuffer, s: string, p: number, q: number, spaced: number): void {
    this.inner ??= new Tokenizer({ masks: this.masks, maxTokens: this.quotedTokens + 1 });
    const inner = this.inner.tokenize(s.slice(p + 1, q - 1));
    if (inner.hasC1) b.hasC1 = true;
    if (inner.truncated) {
      this.push(b, '<str>', TOKEN_VARIABLE, p, q, spaced);
      return;
    }
    // A quoted value alone ("-", "", "10.0.0.1", "ns/pod-7") is a value like any other: <str>, and so is a
    // reference with a slash ("payments/kato-f84b4": a namespace and a name, a content type), which names
    // one thing of many; a quoted word alone ("Started", "api") stays one token, so the token count does not
    // depend on what is quoted.
    if (
      inner.count === 0 ||
      (inner.count === 1 && (inner.kind[0] !== TOKEN_LITERAL || isDash(s, p, q) || hasSlash(s, p, q)))
    ) {
      this.push(b, '<str>', TOKEN_VARIABLE, p, q, spaced);
      return;
    }
    if (inner.count === 1) {
      this.push(b, this.lazy ? '' : s.slice(p, q), TOKEN_LITERAL, p, q, spaced);
      return;
    }
    // The quotes are tokens of their own around the words inside, so each word is a position of the template.
    this.push(b, s[p]!, TOKEN_LITERAL, p, p + 1, spaced);
    const base = p + 1;
    for (let i = 0; i < inner.count; i++) {
      const kind = inner.kind[i]!;
      const norm = kind === TOKEN_LITERAL && this.lazy ? '' : inner.norm[i]!;
      this.push(b, norm, kind, base + inner.start[i]!, base + inner.end[i]!, i === 0 ? 0 : inner.spaced[i]!);
    }
    this.push(b, s[q - 1]!, TOKEN_LITERAL, q - 1, q, 0);
  }

  private scanCustom(line: string, p: number): number {
    for (const mask of this.custom) {
      mask.pattern.lastIndex = p;
      if (mask.pattern.test(line) && mask.pattern.lastIndex > p) {
        this.lastPlaceholder = mask.placeholder;
        return mask.pattern.lastIndex;
      }
    }
    return -1;
  }

  /** Tries the masks that can start with character `c` and may span delimiters. */
  private scanValue(s: string, p: number, n: number, c: number): number {
    const on = this.on;
    if (on.hex && isHexDigit(c) && s.charCodeAt(p + 2) === 58) {
      const mac = scanMac(s, p, n);
      if (mac > 0) return this.found('<hex>', mac);
    }
    if (isDigit(c)) {
      let r = p + 1;
      while (r < n && isDigit(s.charCodeAt(r))) r++;
      const next = s.charCodeAt(r);
      if (on.timestamp && (next === 45 || next === 47 || next === 58 || next === 84)) {
        const q = scanTimestamp(s, p, n);
        if (q > 0) return this.found(next === 58 && this.isElapsedClock(s, p, q) ? '<dur>' : '<ts>', q);
      }
      if (next === 46) {
        const q = on.ip && r - p <= 3 ? scanIpv4(s, p, n) : -1;
        if (q > 0) return this.found('<ip>', q);
      } else if (next === 45 || next === 58 || isHexLetter(next)) {
        const uuid = on.uuid && s.charCodeAt(p + 8) === 45 ? scanUuid(s, p, n) : -1;
        if (uuid > 0) return this.found('<uuid>', uuid);
        const ip = on.ip && colonSoon(s, p) ? scanIpv6(s, p, n) : -1;
        if (ip > 0) return this.found('<ip>', ip);
      }
      return this.scanNumeric(s, p, n);
    }
    if (c === 45 || c === 43) return isDigit(s.charCodeAt(p + 1)) ? this.scanNumeric(s, p, n) : -1;
    // A bound before a duration or size is part of it: `<1 sec`, `>=5ms`, `~2 MB` fill the slot `00:02` or
    // `300 KB` fill, as one value.
    if (c === 60 || c === 62 || (c === 126 && isDigit(s.charCodeAt(p + 1)))) {
      const d = s.charCodeAt(p + 1) === 61 && c !== 126 ? p + 2 : p + 1;
      if (!isDigit(s.charCodeAt(d))) return -1;
      const q = this.scanNumeric(s, d, n);
      return q > 0 && this.lastPlaceholder !== '<num>' && this.lastPlaceholder !== '<hex>' ? q : -1;
    }
    if (c === 58) {
      const q = on.ip && s.charCodeAt(p + 1) === 58 ? scanIpv6(s, p, n) : -1;
      return q > 0 ? this.found('<ip>', q) : -1;
    }
    if (c === 47 || c === 126 || c === 46) {
      const q = on.path ? scanPath(s, p, n) : -1;
      return q > 0 ? this.found('<path>', q) : -1;
    }
    if (c < 128 && QUOTE[c] === 1) {
      const q = on.quoted ? scanQuoted(s, p, n, isBoundary) : -1;
      return q > 0 ? this.found('<str>', q) : -1;
    }
    // Syslog and ctime dates start with a capitalised month or weekday name: Dec 10 06:55:46.
    if (on.timestamp && c >= 65 && c <= 90 && s.charCodeAt(p + 3) === 32) {
      const q = scanTimestamp(s, p, n);
      if (q > 0) return this.found('<ts>', q);
    }
    return -1;
  }

  /** Tries the masks that start like a word and continue past `s[p, w)` or fill it: URLs, IPv6, UUIDs, C:\\ and relative paths. */
  private scanWordValue(s: string, p: number, w: number, n: number, flags: number): number {
    const on = this.on;
    if (s.charCodeAt(w) === 61 && on.id) {
      const q = scanPaddedBase64(s, p, w, n);
      if (q > 0) return this.found('<id>', q);
    }
    if (s.charCodeAt(w) === 58) {
      const after = s.charCodeAt(w + 1);
      const url = after === 47 && on.url ? scanUrl(s, p, n) : -1;
      if (url > 0) return this.found('<url>', url);
      const path = after === 92 && w === p + 1 && on.path ? scanPath(s, p, n) : -1;
      if (path > 0) return this.found('<path>', path);
      const ip = w - p <= 4 && on.ip && isHexDigit(s.charCodeAt(p)) ? scanIpv6(s, p, n) : -1;
      if (ip > 0) return this.found('<ip>', ip);
    }
    if ((flags & HAS_DIGIT) !== 0 && w - p >= 36 && on.uuid && s.charCodeAt(p + 8) === 45) {
      const q = scanUuid(s, p, n);
      if (q > 0) return this.found('<uuid>', q);
    }
    if ((flags & HAS_SLASH) !== 0 && on.path) {
      const q = scanRelativePath(s, p, w);
      if (q > 0) return this.found('<path>', q);
    }
    return -1;
  }

  private scanNumeric(s: string, p: number, n: number): number {
    let q = scanNumber(s, p, n);
    if (q < 0) return -1;
    // `300 KB` and `2 secs` are the values `300KB` and `2s` spelled with a space: one token, so the template
    // does not depend on the spelling (or on a unit that changes with the value, `900 KB` then `1.2 MB`)
    if (scanState.numberKind === 'num' && (this.on.duration || this.on.size)) {
      const u = scanSpacedUnit(s, q, n);
      // scanSpacedUnit set the kind (the compiler takes it for still 'num')
      const unit = scanState.numberKind as NumberKind;
      if (u > 0 && this.on[unit === 'dur' ? 'duration' : 'size']) q = u;
      else scanState.numberKind = 'num';
    }
    const kind = scanState.numberKind;
    if (kind === 'num') return this.on.number ? this.found('<num>', q) : -1;
    if (kind === 'hex') return this.on.hex ? this.found('<hex>', q) : -1;
    if (kind === 'dur') return this.on.duration ? this.found('<dur>', q) : -1;
    return this.on.size ? this.found('<size>', q) : -1;
  }

  /**
   * True when the time `s[p, q)` (digits and `:`, maybe a fraction: no date, zone or AM/PM) stands in a
   * message after a word, as elapsed times do (`lifetime 00:02`, `took 1:02:03.5`): a `<dur>` there, the
   * slot `<1 sec` or `2 min` fill too. A time first on the line or in brackets (`[10:00:01]`, after a
   * level-letter `I1207`) is the record's own time of day.
   */
  private isElapsedClock(s: string, p: number, q: number): boolean {
    if (!this.on.duration) return false;
    const b = this.buffer;
    const i = b.count - 1;
    if (i < 0 || b.kind[i] !== TOKEN_LITERAL) return false;
    const before = s.charCodeAt(b.start[i]!);
    if (before === 91 || before === 40 || before === 123 || before === 60) return false;
    for (let k = p; k < q; k++) {
      const c = s.charCodeAt(k);
      if (!(isDigit(c) || c === 58 || c === 46 || c === 44)) return false;
    }
    return true;
  }

  private found(placeholder: string, q: number): number {
    this.lastPlaceholder = placeholder;
    return q;
  }

  /**
   * Pushes a word, masking numbers and hex ids inside it (`blk_-42` → `blk_<num>`); returns where the
   * token ends (past the word when a host name takes its `:port`).
   */
  private pushWord(b: TokenBuffer, s: string, p: number, q: number, spaced: number, flags: number): number {
    const on = this.on;
    if ((flags & HAS_AT) !== 0 && on.email && isEmail(s, p, q)) {
      this.push(b, '<email>', TOKEN_VARIABLE, p, q, spaced);
      return q;
    }
    if ((flags & HAS_DOT) !== 0 && on.host && q - p > 3 && isHostname(s, p, q)) {
      const end = portEnd(s, q);
      this.push(b, '<host>', TOKEN_VARIABLE, p, end, spaced);
      return end;
    }
    if ((flags & HAS_DIGIT) === 0) {
      this.push(b, this.lazy ? '' : s.slice(p, q), TOKEN_LITERAL, p, q, spaced);
      return q;
    }
    let out = '';
    let last = p;
    let masks = 0;
    let i = p;
    while (i < q) {
      if (!isAlnum(s.charCodeAt(i))) {
        i++;
        continue;
      }
      let j = i;
      let hasDigit = false;
      let hasLetter = false;
      let allHex = true;
      while (j < q) {
        const c = s.charCodeAt(j);
        if (!isAlnum(c)) break;
        if (isDigit(c)) hasDigit = true;
        else {
          hasLetter = true;
          if (!isHexDigit(c)) allHex = false;
        }
        j++;
      }
      if (hasDigit) {
        let placeholder = '';
        if (!hasLetter) placeholder = on.number ? '<num>' : '';
        else if (on.hex && ((allHex && j - i >= 6) || isHexLiteral(s, i, j))) placeholder = '<hex>';
        else if (on.id && isRandomId(s, i, j)) placeholder = '<id>';
        if (placeholder !== '') {
          let st = i;
          // A dash right after a separator is a sign: blk_-42 is blk_ and -42.
          if (st > p && s.charCodeAt(st - 1) === 45 && (st - 1 === p || !isAlnum(s.charCodeAt(st - 2)))) st--;
          out += s.slice(last, st) + placeholder;
          last = j;
          masks++;
        } else if (on.number) {
          // Long digit runs glued to letters are ids too (user1234, steps7214).
          for (let k = i; k < j; ) {
            if (!isDigit(s.charCodeAt(k))) {
              k++;
              continue;
            }
            let r = k;
            while (r < j && isDigit(s.charCodeAt(r))) r++;
            if (r - k >= 4) {
              out += s.slice(last, k) + '<num>';
              last = r;
              masks++;
            }
            k = r;
          }
        }
      }
      i = j;
    }
    if (masks === 0) {
      // Words of one shape in a row (an14 an15 cn16: letters then digits) are a list of names: `an<num>…`.
      const i = b.count - 1;
      if (
        this.collapse &&
        spaced === 1 &&
        i >= 0 &&
        b.spaced[i] === 1 &&
        sameShape(s, b.start[i]!, b.end[i]!, p, q)
      ) {
        if (b.kind[i] === TOKEN_LITERAL) {
          b.norm[i] = shapeOf(s, b.start[i]!, b.end[i]!);
          b.kind[i] = TOKEN_MASKED;
        }
        b.end[i] = q;
        b.listed[i] = 1;
        return q;
      }
      this.push(b, this.lazy ? '' : s.slice(p, q), TOKEN_LITERAL, p, q, spaced);
      return q;
    }
    out += s.slice(last, q);
    const whole = masks === 1 && out.charCodeAt(0) === 60 && out.indexOf('>') === out.length - 1;
    this.push(b, out, whole ? TOKEN_VARIABLE : TOKEN_MASKED, p, q, spaced);
    return q;
  }

  private push(b: TokenBuffer, norm: string, kind: number, start: number, end: number, spaced: number): void {
    const i = b.count;
    // A comma-separated list of the same masked value (10.0.0.1,10.0.0.2) is one token, like a spaced one.
    if (
      this.collapse &&
      i > 1 &&
      kind === TOKEN_VARIABLE &&
      norm !== '<num>' &&
      b.norm[i - 1] === ',' &&
      b.kind[i - 1] === TOKEN_LITERAL &&
      b.norm[i - 2] === norm &&
      b.kind[i - 2] === kind
    ) {
      b.end[i - 2] = end;
      b.listed[i - 2] = 1;
      b.count = i - 1;
      return;
    }
    if (
      this.collapse &&
      i > 0 &&
      spaced === 1 &&
      kind !== TOKEN_LITERAL &&
      // Numbers and quoted strings in a row are fields (a tuple, referrer and user agent), not a list.
      norm !== '<num>' &&
      norm !== '<str>' &&
      b.norm[i - 1] === norm &&
      b.kind[i - 1] === kind
    ) {
      b.end[i - 1] = end;
      b.listed[i - 1] = 1;
      return;
    }
    if (i === b.kind.length) grow(b);
    b.norm[i] = norm;
    b.kind[i] = kind;
    b.start[i] = start;
    b.end[i] = end;
    b.spaced[i] = i === 0 ? 0 : spaced;
    b.listed[i] = 0;
    b.count = i + 1;
  }
}

const C1_CONTROLS = /[\x80-\x9f]/g;

/**
 * `line` without its C1 controls (U+0080–U+009F), as `stripAnsi` leaves a line that has ESC or CSI: for a
 * line whose tokens said `hasC1`, so a lone C1 control (a line without ESC or CSI) stays out of templates too.
 */
export function withoutC1(line: string): string {
  return line.replace(C1_CONTROLS, '');
}

/**
 * The end of a base64 value `s[p, w)` with its `=` or `==` padding at `w`, or -1: the padding belongs to the
 * value, so values of any length (padded or not) are one `<id>`, not `<id>` then `=`. The text must be base64
 * (letters, digits, `+`, `/`; with the padding a multiple of 4 long) and end there (a space, `,`, `;`, a
 * closing bracket, the end), and look encoded, not like a key with an empty value (`timeout=`): a digit,
 * `+`, `/` or an upper-case letter after the first, or the double padding.
 */
function scanPaddedBase64(s: string, p: number, w: number, n: number): number {
  let q = w + 1;
  if (s.charCodeAt(q) === 61) q++;
  if (q < n) {
    const c = s.charCodeAt(q);
    if (!(c <= 32 || c === 44 || c === 59 || c === 41 || c === 93 || c === 125 || c === 38)) return -1;
  }
  if (w - p < 2 || (q - p) % 4 !== 0) return -1;
  let encoded = q - w === 2;
  for (let i = p; i < w; i++) {
    const c = s.charCodeAt(i);
    if (c === 43 || c === 47 || isDigit(c) || (i > p && c >= 65 && c <= 90)) encoded = true;
    else if (!isAlnum(c)) return -1;
  }
  return encoded ? q : -1;
}

/** A MAC address: six pairs of hex digits separated by `:`. */
function scanMac(s: string, p: number, n: number): number {
  if (p + 17 > n) return -1;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(p + i);
    if (i % 3 === 2 ? c !== 58 : !isHexDigit(c)) return -1;
  }
  return endsAt(s, p + 17, n) ? p + 17 : -1;
}

/**
 * True when the words `s[a, b)` (a plain word, or a list of them already) and `s[c, d)` share a shape: a
 * lower-case letter run, then a digit run, nothing else (an14, cn7).
 */
function sameShape(s: string, a: number, b: number, c: number, d: number): boolean {
  let i = b;
  while (i > a && s.charCodeAt(i - 1) !== 32) i--;
  return isNameNumber(s, i, b) && isNameNumber(s, c, d);
}

function isNameNumber(s: string, p: number, q: number): boolean {
  let i = p;
  while (i < q && s.charCodeAt(i) >= 97 && s.charCodeAt(i) <= 122) i++;
  if (i === p || i === q) return false;
  while (i < q && isDigit(s.charCodeAt(i))) i++;
  return i === q;
}

/** `an14` → `an<num>`. */
function shapeOf(s: string, p: number, q: number): string {
  let i = p;
  while (i < q && !isDigit(s.charCodeAt(i))) i++;
  return `${s.slice(p, i)}<num>`;
}

/** True when the quoted string `s[p, q)` holds a lone dash (an absent value). */
function isDash(s: string, p: number, q: number): boolean {
  return q - p === 3 && s.charCodeAt(p + 1) === 45;
}

/** True when the quoted string `s[p, q)` holds a `/` between its quotes. */
function hasSlash(s: string, p: number, q: number): boolean {
  const slash = s.indexOf('/', p + 1);
  return slash !== -1 && slash < q - 1;
}

/** End of a `:port` (1–5 digits, then a boundary) at `q`, or `q` when there is none. */
function portEnd(s: string, q: number): number {
  if (s.charCodeAt(q) !== 58) return q;
  let r = q + 1;
  while (r < s.length && r - q <= 6 && isDigit(s.charCodeAt(r))) r++;
  return r - q >= 2 && r - q <= 6 && endsAt(s, r, s.length) ? r : q;
}

function isHexLiteral(s: string, i: number, j: number): boolean {
  if (j - i < 3 || s.charCodeAt(i) !== 48 || (s.charCodeAt(i + 1) | 32) !== 120) return false;
  for (let k = i + 2; k < j; k++) if (!isHexDigit(s.charCodeAt(k))) return false;
  return true;
}
