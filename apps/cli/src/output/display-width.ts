/**
 * The columns `text` takes in a terminal: East Asian wide and fullwidth characters (CJK, kana, Hangul,
 * fullwidth forms) take two, combining marks, format and control characters none, anything else one.
 * App names hold letters of any script, and the tables pad them by this width, not by `length`.
 * @example
 * displayWidth('注文'); // 4
 * displayWidth('café'); // 4, also with e + U+0301
 */
export function displayWidth(text: string): number {
  // the common case, ASCII without control characters, costs no look at each character
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0)!);
  return width;
}

/** `text` padded with spaces on the right to `width` columns. */
export function padEndToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` padded with spaces on the left to `width` columns. */
export function padStartToWidth(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/**
 * `text` cut to at most `width` columns, `…` marking a cut, and padded to exactly `width` (a wide
 * character that does not fit whole is left out and its column padded).
 */
export function fitToWidth(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  let cut = text;
  if (displayWidth(text) > width) {
    cut = '';
    let used = 0;
    for (const char of text) {
      const size = charWidth(char.codePointAt(0)!);
      if (used + size > width - 1) break;
      cut += char;
      used += size;
    }
    cut += '…';
  }
  return align === 'left' ? padEndToWidth(cut, width) : padStartToWidth(cut, width);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Mn and Me marks join the character before; Cf (zero-width joiners, bidi marks) and Cc show nothing
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;

// East Asian Width W and F (Unicode's EastAsianWidth.txt), merged into ranges: first, last, first, last…
const WIDE_RANGES = [
  0x1100, 0x115f, 0x231a, 0x231b, 0x2329, 0x232a, 0x23e9, 0x23ec, 0x23f0, 0x23f0, 0x23f3, 0x23f3, 0x25fd,
  0x25fe, 0x2614, 0x2615, 0x2648, 0x2653, 0x267f, 0x267f, 0x2693, 0x2693, 0x26a1, 0x26a1, 0x26aa, 0x26ab,
  0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26ce, 0x26d4, 0x26d4, 0x26ea, 0x26ea, 0x26f2, 0x26f3, 0x26f5,
  0x26f5, 0x26fa, 0x26fa, 0x26fd, 0x26fd, 0x2705, 0x2705, 0x270a, 0x270b, 0x2728, 0x2728, 0x274c, 0x274c,
  0x274e, 0x274e, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797, 0x27b0, 0x27b0, 0x27bf, 0x27bf, 0x2b1b,
  0x2b1c, 0x2b50, 0x2b50, 0x2b55, 0x2b55, 0x2e80, 0x303e, 0x3041, 0x33ff, 0x3400, 0x4dbf, 0x4e00, 0xa4cf,
  0xa960, 0xa97f, 0xac00, 0xd7a3, 0xf900, 0xfaff, 0xfe10, 0xfe19, 0xfe30, 0xfe6f, 0xff00, 0xff60, 0xffe0,
  0xffe6, 0x16fe0, 0x16fe4, 0x16ff0, 0x16ff1, 0x17000, 0x18cd5, 0x18d00, 0x18d08, 0x1aff0, 0x1b2fb, 0x1f004,
  0x1f004, 0x1f0cf, 0x1f0cf, 0x1f18e, 0x1f18e, 0x1f191, 0x1f19a, 0x1f200, 0x1f251, 0x1f260, 0x1f265, 0x1f300,
  0x1f64f, 0x1f680, 0x1f6ff, 0x1f7e0, 0x1f7eb, 0x1f90c, 0x1f9ff, 0x1fa70, 0x1faff, 0x20000, 0x2fffd, 0x30000,
  0x3fffd,
];

function charWidth(code: number): number {
  if (code < 0x300) return code < 0x20 || (code >= 0x7f && code < 0xa0) ? 0 : 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(code))) return 0;
  if (code < 0x1100) return 1;
  return isWide(code) ? 2 : 1;
}

/** Binary search of WIDE_RANGES. */
function isWide(code: number): boolean {
  let low = 0;
  let high = WIDE_RANGES.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (code < WIDE_RANGES[middle * 2]!) high = middle - 1;
    else if (code > WIDE_RANGES[middle * 2 + 1]!) low = middle + 1;
    else return true;
  }
  return false;
}
