import { describe, expect, it } from 'vitest';
import { decodeUtf8, utf8Problem } from '../src/utf8-text.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('decodeUtf8', () => {
  it('decodes UTF-8 as it is, a byte order mark dropped', () => {
    expect(decodeUtf8(bytes('café 注文 \u{1F600}\n'))).toEqual({ ok: true, text: 'café 注文 \u{1F600}\n' });
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], 'a=1'))).toEqual({ ok: true, text: 'a=1' });
  });

  it('names the line and column of the first byte that is not UTF-8, instead of a U+FFFD', () => {
    const latin1 = decodeUtf8(bytes('a = 1\nname = "caf', [0xe9], '"\n'));
    expect(latin1).toEqual({ ok: false, line: 2, column: 12, why: 'byte 0xe9' });
    expect(utf8Problem(latin1 as { line: number; column: number; why: string })).toBe(
      'not UTF-8 text: byte 0xe9 (line 2, column 12); save the file as UTF-8',
    );
    // a character before it on the line counts once, whatever its byte length
    expect(decodeUtf8(bytes('é', [0xff]))).toMatchObject({ line: 1, column: 2, why: 'byte 0xff' });
    // a sequence cut short at the end, an overlong form, a surrogate
    expect(decodeUtf8(bytes('x', [0xe6, 0xb3]))).toMatchObject({ ok: false, column: 2, why: 'byte 0xe6' });
    expect(decodeUtf8(bytes([0xc0, 0xaf]))).toMatchObject({ ok: false, why: 'byte 0xc0' });
    expect(decodeUtf8(bytes([0xed, 0xa0, 0x80]))).toMatchObject({ ok: false, why: 'byte 0xed' });
  });

  it('names a UTF-16 file by its byte order mark', () => {
    const utf16 = Buffer.from('\uFEFF{"apps": []}', 'utf16le');
    expect(decodeUtf8(utf16)).toEqual({ ok: false, line: 1, column: 1, why: 'a UTF-16 byte order mark' });
  });
});
