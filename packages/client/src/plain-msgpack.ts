/**
 * A small MessagePack reader and writer for the CLI's quick paths (issue 17): `velos list` and
 * `velos start <script>` exchange a few kilobytes with the daemon, and loading, compiling and warming
 * msgpackr's general reader took longer than the round trip itself. It reads everything the daemon's
 * encoder (msgpackr with `useRecords: false, moreTypes: false`) writes, into the same values as
 * `@velos/core/codec` with `mapsAsObjects` and `copyBuffers`: nil, booleans, integers (64-bit ones as
 * BigInt), floats, strings, binaries (as Buffer copies), arrays, maps (as objects, `__proto__` keys renamed
 * `__proto_`), `undefined` (fixext 0) and timestamps (ext -1, as Date). It writes plain data only: null,
 * undefined, booleans, numbers, strings, arrays and plain objects (what a request payload holds).
 */

/** Thrown for bytes that are no MessagePack value this reader knows (the frame decoder reports it). */
export class MsgpackError extends Error {}

// a fresh reader state per call: no module-level buffers to keep alive
interface Reader {
  buf: Buffer;
  pos: number;
}

/** Decodes one MessagePack value that fills `buf` from its start (trailing bytes are ignored, as msgpackr does). */
export function unpackPlain(buf: Buffer): unknown {
  return read({ buf, pos: 0 });
}

function need(r: Reader, n: number): void {
  if (r.pos + n > r.buf.length) throw new MsgpackError('Unexpected end of MessagePack data');
}

function read(r: Reader): unknown {
  need(r, 1);
  const token = r.buf[r.pos++]!;
  if (token < 0x80) return token;
  if (token < 0x90) return readMap(r, token - 0x80);
  if (token < 0xa0) return readArray(r, token - 0x90);
  if (token < 0xc0) return readString(r, token - 0xa0);
  if (token >= 0xe0) return token - 0x100;
  const buf = r.buf;
  switch (token) {
    case 0xc0:
      return null;
    case 0xc1:
      // "never used" in MessagePack: msgpackr reads it as a marker object with this one property
      return { name: 'MessagePack 0xC1' };
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return readBin(r, readLength(r, token - 0xc4));
    case 0xc7:
    case 0xc8:
    case 0xc9:
      return readExt(r, readLength(r, token - 0xc7));
    case 0xca:
      need(r, 4);
      r.pos += 4;
      return buf.readFloatBE(r.pos - 4);
    case 0xcb:
      need(r, 8);
      r.pos += 8;
      return buf.readDoubleBE(r.pos - 8);
    case 0xcc:
    case 0xcd:
    case 0xce:
      return readLength(r, token - 0xcc);
    case 0xcf:
      need(r, 8);
      r.pos += 8;
      return buf.readBigUInt64BE(r.pos - 8);
    case 0xd0:
      need(r, 1);
      return buf.readInt8(r.pos++);
    case 0xd1:
      need(r, 2);
      r.pos += 2;
      return buf.readInt16BE(r.pos - 2);
    case 0xd2:
      need(r, 4);
      r.pos += 4;
      return buf.readInt32BE(r.pos - 4);
    case 0xd3:
      need(r, 8);
      r.pos += 8;
      return buf.readBigInt64BE(r.pos - 8);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return readExt(r, 1 << (token - 0xd4));
    case 0xd9:
    case 0xda:
    case 0xdb:
      return readString(r, readLength(r, token - 0xd9));
    case 0xdc:
    case 0xdd:
      return readArray(r, readLength(r, token - 0xdc + 1));
    case 0xde:
    case 0xdf:
      return readMap(r, readLength(r, token - 0xde + 1));
    default:
      throw new MsgpackError(`Unknown MessagePack token ${token}`);
  }
}

/** An unsigned length of 1, 2 or 4 bytes (`size` 0, 1, 2). */
function readLength(r: Reader, size: number): number {
  const bytes = 1 << size;
  need(r, bytes);
  const at = r.pos;
  r.pos += bytes;
  return bytes === 1 ? r.buf[at]! : bytes === 2 ? r.buf.readUInt16BE(at) : r.buf.readUInt32BE(at);
}

function readString(r: Reader, length: number): string {
  need(r, length);
  const start = r.pos;
  r.pos += length;
  return r.buf.toString('utf8', start, r.pos);
}

function readBin(r: Reader, length: number): Buffer {
  need(r, length);
  const start = r.pos;
  r.pos += length;
  // a copy (msgpackr's copyBuffers): the frame's bytes are not kept alive by a value
  return Uint8Array.prototype.slice.call(r.buf, start, r.pos) as Buffer;
}

function readArray(r: Reader, length: number): unknown[] {
  const array = new Array<unknown>(length);
  for (let i = 0; i < length; i++) array[i] = read(r);
  return array;
}

function readMap(r: Reader, length: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    const key = readKey(read(r));
    object[key === '__proto__' ? '__proto_' : key] = read(r);
  }
  return object;
}

// msgpackr's key rule: strings as they are, numbers, booleans, BigInts and null/undefined as text
function readKey(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') return key.toString();
  if (key == null) return `${key}`;
  throw new MsgpackError('Invalid property type for record');
}

function readExt(r: Reader, length: number): unknown {
  need(r, length + 1);
  const type = r.buf[r.pos++]!;
  const start = r.pos;
  r.pos += length;
  if (type === 0x00 && length === 1) return undefined;
  if (type === 0xff) return readTimestamp(r.buf, start, length);
  throw new MsgpackError(`Unknown extension type ${type}`);
}

function readTimestamp(buf: Buffer, at: number, length: number): Date {
  if (length === 4) return new Date(buf.readUInt32BE(at) * 1000);
  if (length === 8) {
    const high = buf.readUInt32BE(at);
    return new Date((high >>> 2) / 1e6 + ((high & 0x3) * 0x100000000 + buf.readUInt32BE(at + 4)) * 1000);
  }
  if (length === 12) {
    const seconds = Number(buf.readBigInt64BE(at + 4));
    return new Date(buf.readUInt32BE(at) / 1e6 + seconds * 1000);
  }
  return new Date('invalid');
}

/** Encodes plain data (see the module comment) as MessagePack; anything else is a TypeError. */
export function packPlain(value: unknown): Buffer {
  const w: Writer = { buf: Buffer.allocUnsafe(4096), pos: 0 };
  write(w, value);
  return w.buf.subarray(0, w.pos);
}

// one buffer, doubled when a value does not fit
interface Writer {
  buf: Buffer;
  pos: number;
}

function room(w: Writer, n: number): Buffer {
  if (w.pos + n > w.buf.length) {
    const bigger = Buffer.allocUnsafe(Math.max(w.buf.length * 2, w.pos + n));
    w.buf.copy(bigger, 0, 0, w.pos);
    w.buf = bigger;
  }
  return w.buf;
}

function byte(w: Writer, value: number): void {
  room(w, 1)[w.pos++] = value;
}

function write(w: Writer, value: unknown): void {
  if (value === null) byte(w, 0xc0);
  else if (value === undefined) {
    byte(w, 0xd4);
    byte(w, 0x00);
    byte(w, 0x00);
  } else if (value === true || value === false) byte(w, value ? 0xc3 : 0xc2);
  else if (typeof value === 'number') writeNumber(w, value);
  else if (typeof value === 'string') writeString(w, value);
  else if (Array.isArray(value)) {
    writeSize(w, value.length, 0x90, 0xdc);
    for (const item of value) write(w, item);
  } else writeObject(w, value);
}

function writeObject(w: Writer, value: unknown): void {
  const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`cannot encode ${typeof value}`);
  const keys = Object.keys(value as object);
  writeSize(w, keys.length, 0x80, 0xde);
  for (const key of keys) {
    writeString(w, key);
    write(w, (value as Record<string, unknown>)[key]);
  }
}

/** A length with its fixed form (`fix`, below 16) or its 16-bit (`wide16`) or 32-bit (`wide16 + 1`) form. */
function writeSize(w: Writer, length: number, fix: number, wide16: number): void {
  if (length < 16) byte(w, fix | length);
  else if (length < 0x10000) {
    byte(w, wide16);
    w.pos = room(w, 2).writeUInt16BE(length, w.pos);
  } else {
    byte(w, wide16 + 1);
    w.pos = room(w, 4).writeUInt32BE(length, w.pos);
  }
}

function writeNumber(w: Writer, n: number): void {
  const isInteger = Number.isInteger(n);
  if (isInteger && n >= 0 && n < 0x80) byte(w, n);
  else if (isInteger && n < 0 && n >= -0x20) byte(w, n + 0x100);
  else if (isInteger && n >= 0 && n <= 0xffffffff) {
    byte(w, 0xce);
    w.pos = room(w, 4).writeUInt32BE(n, w.pos);
  } else if (isInteger && n < 0 && n >= -0x80000000) {
    byte(w, 0xd2);
    w.pos = room(w, 4).writeInt32BE(n, w.pos);
  } else {
    byte(w, 0xcb);
    w.pos = room(w, 8).writeDoubleBE(n, w.pos);
  }
}

function writeString(w: Writer, text: string): void {
  // at most 3 bytes per UTF-16 unit: write first, then put the header in front when it is not 1 byte
  const header = text.length * 3 < 32 ? 1 : text.length * 3 < 0x100 ? 2 : text.length * 3 < 0x10000 ? 3 : 5;
  const buf = room(w, header + text.length * 3);
  const n = buf.write(text, w.pos + header, 'utf8');
  if (header === 1) buf[w.pos] = 0xa0 | n;
  else if (header === 2) buf[w.pos] = 0xd9;
  else if (header === 3) buf[w.pos] = 0xda;
  else buf[w.pos] = 0xdb;
  if (header === 2) buf[w.pos + 1] = n;
  else if (header === 3) buf.writeUInt16BE(n, w.pos + 1);
  else if (header === 5) buf.writeUInt32BE(n, w.pos + 1);
  w.pos += header + n;
}
