/**
 * The MessagePack writer of the CLI's quick paths (issue 17), for the requests they send: plain data only
 * (null, undefined, booleans, numbers, strings, arrays and plain objects); anything else is a TypeError.
 * The daemon's msgpackr reads it into the same values (test/plain-codec.test.ts).
 */

// the message being written, in one buffer doubled when a value does not fit
let out: Buffer = Buffer.alloc(0);
let end = 0;

/** Encodes plain data as MessagePack. */
export function packPlain(value: unknown): Buffer {
  out = Buffer.allocUnsafe(4096);
  end = 0;
  write(value);
  const packed = out.subarray(0, end);
  out = Buffer.alloc(0);
  return packed;
}

/** Makes room for `n` more bytes and returns where they go. */
function reserve(n: number): number {
  if (end + n > out.length) {
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, end + n));
    out.copy(bigger, 0, 0, end);
    out = bigger;
  }
  const at = end;
  end += n;
  return at;
}

/** A type byte followed by a big-endian unsigned integer of 0, 1, 2 or 4 bytes. */
function head(type: number, value: number, bytes: number): void {
  const at = reserve(1 + bytes);
  out[at] = type;
  if (bytes === 1) out[at + 1] = value;
  else if (bytes === 2) out.writeUInt16BE(value, at + 1);
  else if (bytes === 4) out.writeUInt32BE(value, at + 1);
}

/** A length in its fixed form (`fix`, below 16), or its 16-bit (`wide`) or 32-bit (`wide + 1`) form. */
function size(length: number, fix: number, wide: number): void {
  if (length < 16) head(fix | length, 0, 0);
  else if (length < 0x10000) head(wide, length, 2);
  else head(wide + 1, length, 4);
}

function write(value: unknown): void {
  if (value === null) head(0xc0, 0, 0);
  else if (value === undefined) head(0xd4, 0, 2);
  else if (value === true || value === false) head(value ? 0xc3 : 0xc2, 0, 0);
  else if (typeof value === 'string') writeString(value);
  else if (typeof value === 'number') writeNumber(value);
  else if (Array.isArray(value)) {
    size(value.length, 0x90, 0xdc);
    for (const item of value) write(item);
  } else {
    const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
    if (proto !== Object.prototype && proto !== null) throw new TypeError(`cannot encode ${typeof value}`);
    const keys = Object.keys(value as object);
    size(keys.length, 0x80, 0xde);
    for (const key of keys) {
      writeString(key);
      write((value as Record<string, unknown>)[key]);
    }
  }
}

function writeNumber(n: number): void {
  const isInteger = Number.isInteger(n);
  if (isInteger && n >= -0x20 && n < 0x80) head(n < 0 ? n + 0x100 : n, 0, 0);
  else if (isInteger && n >= 0 && n <= 0xffffffff) head(0xce, n, 4);
  else if (isInteger && n < 0 && n >= -0x80000000) {
    const at = reserve(5);
    out[at] = 0xd2;
    out.writeInt32BE(n, at + 1);
  } else {
    const at = reserve(9);
    out[at] = 0xcb;
    out.writeDoubleBE(n, at + 1);
  }
}

function writeString(text: string): void {
  // at most 3 bytes per UTF-16 unit: the header's size is chosen for that, the bytes written after it
  const most = text.length * 3;
  const bytes = most < 32 ? 0 : most < 0x100 ? 1 : most < 0x10000 ? 2 : 4;
  const at = reserve(1 + bytes + most);
  const n = out.write(text, at + 1 + bytes, 'utf8');
  end = at + 1 + bytes + n;
  out[at] = bytes === 0 ? 0xa0 | n : bytes === 1 ? 0xd9 : bytes === 2 ? 0xda : 0xdb;
  if (bytes === 1) out[at + 1] = n;
  else if (bytes === 2) out.writeUInt16BE(n, at + 1);
  else if (bytes === 4) out.writeUInt32BE(n, at + 1);
}
