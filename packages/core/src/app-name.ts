/**
 * What an app name may be, in characters (Unicode code points, after NFC) and in UTF-8 bytes: the name
 * starts its log files' names (`<name>-err-<id>.<time>-<n>.log.gz.tmp`, ~55 bytes more at most), and a
 * file name holds 255 bytes.
 */
export const APP_NAME_LIMITS = { maxChars: 100, maxBytes: 200 } as const;

/** The longest process target the protocol takes (a name, an id, a namespace, `all` or a /regex/), in UTF-16 units. */
export const TARGET_MAX_CHARS = 200;

// Letters, digits and combining marks of any script, spaces and _ . @ -; never a path separator, a
// control or format character (bidi overrides, zero-width joiners); a letter, digit or _ . @ - first.
const NAME_CHARS = /^[\p{L}\p{N}_.@-][\p{L}\p{N}\p{M}_.@ -]*$/u;
// `all` and ids are targets: a name made only of digits (of any script) would read as one
const RESERVED = /^(all|\p{N}+)$/u;

/**
 * Why `name` cannot name an app, or null when it can; `name` is compared as it is, so normalise it
 * first (`normalizeAppName`): two spellings of one text must not name two apps.
 * @example
 * appNameProblem('заказы-api'); // null
 * appNameProblem('a/b'); // 'expected 1-100 letters or digits (any script), spaces or _ . @ -, …'
 */
export function appNameProblem(name: string): string | null {
  if (!NAME_CHARS.test(name)) {
    return 'expected 1-100 letters or digits (any script), spaces or _ . @ -, starting with a letter, digit or _ . @ -';
  }
  const chars = codePoints(name);
  if (chars > APP_NAME_LIMITS.maxChars) {
    return `expected at most ${APP_NAME_LIMITS.maxChars} characters, got ${chars}`;
  }
  const bytes = utf8Bytes(name);
  if (bytes > APP_NAME_LIMITS.maxBytes) {
    return `expected at most ${APP_NAME_LIMITS.maxBytes} bytes in UTF-8 (the name starts its log files' names), got ${bytes}`;
  }
  if (RESERVED.test(name)) return 'must not be "all" or a number (they are targets)';
  return null;
}

/**
 * The one spelling of a name (and of a target that may be one): Unicode NFC, so that `café` typed with
 * `é` or with `e` and a combining accent is one app, with one log file.
 */
export function normalizeAppName(name: string): string {
  return name.normalize('NFC');
}

/**
 * `text` cut to at most `maxChars` characters and `maxBytes` UTF-8 bytes, at a code point boundary
 * (for names made from other text, such as a script's file name).
 */
export function cutToNameLimits(text: string, maxChars: number, maxBytes: number): string {
  let out = '';
  let chars = 0;
  let bytes = 0;
  for (const char of text) {
    const size = utf8Bytes(char);
    if (chars + 1 > maxChars || bytes + size > maxBytes) break;
    out += char;
    chars += 1;
    bytes += size;
  }
  return out;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
