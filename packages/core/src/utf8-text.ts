/** Bytes read as UTF-8: the text, or where the first byte that is not UTF-8 stands (1-based). */
export type Utf8Result =
  | { ok: true; text: string }
  | { ok: false; line: number; column: number; why: string };

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a file's bytes as UTF-8 without replacing what is not UTF-8: Node's `readFileSync(…, 'utf8')`
 * turns a Latin-1 `é` into U+FFFD silently, so a name or an env value would change without a word.
 * A UTF-16 file (by its byte order mark) is named as such.
 */
export function decodeUtf8(bytes: Uint8Array): Utf8Result {
  try {
    return { ok: true, text: strict.decode(bytes) };
  } catch {
    return badByte(bytes);
  }
}

/**
 * The message of a decodeUtf8 failure as one clause: `not UTF-8 text: byte 0xe9 (line 2, column 9);
 * save the file as UTF-8`.
 */
export function utf8Problem(result: { line: number; column: number; why: string }): string {
  return `not UTF-8 text: ${result.why} (line ${result.line}, column ${result.column}); save the file as UTF-8`;
}

function badByte(bytes: Uint8Array): Utf8Result & { ok: false } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, line: 1, column: 1, why: 'a UTF-16 byte order mark' };
  }
  let at = 0;
  let line = 1;
  let lineStart = 0;
  while (at < bytes.length) {
    const length = sequenceLength(bytes, at);
    if (length === 0) {
      const column = strict.decode(bytes.subarray(lineStart, at)).length + 1;
      return { ok: false, line, column, why: `byte 0x${bytes[at]!.toString(16).padStart(2, '0')}` };
    }
    if (bytes[at] === 0x0a) {
      line += 1;
      lineStart = at + 1;
    }
    at += length;
  }
  // the decoder refused what this scan takes (it cannot happen): the whole file is named
  return { ok: false, line: 1, column: 1, why: 'a byte sequence' };
}

/** The length of the valid UTF-8 sequence at `at` (RFC 3629: no overlongs, no surrogates), or 0. */
function sequenceLength(bytes: Uint8Array, at: number): number {
  const first = bytes[at]!;
  if (first < 0x80) return 1;
  const lead = leadOf(first);
  if (lead === null || at + lead.length > bytes.length) return 0;
  const second = bytes[at + 1]!;
  if (second < lead.low || second > lead.high) return 0;
  for (let i = 2; i < lead.length; i += 1) {
    const next = bytes[at + i]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return lead.length;
}

/** A lead byte's sequence length and the range its second byte must fall in; null for no lead byte. */
function leadOf(first: number): { length: number; low: number; high: number } | null {
  if (first >= 0xc2 && first <= 0xdf) return { length: 2, low: 0x80, high: 0xbf };
  if (first === 0xe0) return { length: 3, low: 0xa0, high: 0xbf };
  if (first === 0xed) return { length: 3, low: 0x80, high: 0x9f };
  if (first >= 0xe1 && first <= 0xef) return { length: 3, low: 0x80, high: 0xbf };
  if (first === 0xf0) return { length: 4, low: 0x90, high: 0xbf };
  if (first >= 0xf1 && first <= 0xf3) return { length: 4, low: 0x80, high: 0xbf };
  if (first === 0xf4) return { length: 4, low: 0x80, high: 0x8f };
  return null;
}
