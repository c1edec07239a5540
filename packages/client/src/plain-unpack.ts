/**
 * The MessagePack reader of the CLI's quick paths (issue 17): `velos list` and `velos start <script>`
 * read a few kilobytes from the daemon, and loading, compiling and warming msgpackr's general reader took
 * longer than the round trip itself. It reads everything the daemon's encoder (msgpackr with
 * `useRecords: false, moreTypes: false`) writes, into the same values as `@velos/core/codec` (msgpackr
 * with `mapsAsObjects` and `copyBuffers`): nil, booleans, integers (64-bit ones as BigInt), floats,
 * strings, binaries (as Buffer copies), arrays, maps (as objects, `__proto__` keys renamed `__proto_`),
 * `undefined` (fixext 0), timestamps (ext -1, as Date) and 0xc1 (msgpackr's marker object). Written for a
 * process that decodes once: few functions, bytes read directly, strings sliced without `toString`'s checks.
 * One difference, not met in practice by `list` and `start` answers: a string of at most 64 bytes holding an unpaired
 * surrogate (which msgpackr writes as 3 bytes) reads as three U+FFFD here, as one U+FFFD there (strings
 * that come from the system, paths, arguments, environment, or pass the name checks hold none).
 */

/** Thrown for bytes that are no MessagePack value this reader knows (the frame decoder reports it). */
export class MsgpackError extends Error {}

const EMPTY = Buffer.alloc(0);
// the value being read; reset after each call, so that no frame stays referenced
let src: Buffer = EMPTY;
let pos = 0;

/** Decodes one MessagePack value from the start of `buf` (trailing bytes are ignored, as msgpackr does). */
export function unpackPlain(buf: Buffer): unknown {
  src = buf;
  pos = 0;
  try {
    return read();
  } finally {
    src = EMPTY;
  }
}

function need(n: number): number {
  if (pos + n > src.length) throw new MsgpackError('Unexpected end of MessagePack data');
  const at = pos;
  pos += n;
  return at;
}

/** An unsigned big-endian integer of 1, 2 or 4 bytes. */
function uint(bytes: number): number {
  const at = need(bytes);
  if (bytes === 1) return src[at]!;
  if (bytes === 2) return (src[at]! << 8) | src[at + 1]!;
  return src[at]! * 0x1000000 + ((src[at + 1]! << 16) | (src[at + 2]! << 8) | src[at + 3]!);
}

function read(): unknown {
  const token = src[need(1)]!;
  if (token < 0x80) return token;
  if (token < 0x90) return readMap(token - 0x80);
  if (token < 0xa0) return readArray(token - 0x90);
  if (token < 0xc0) return readString(token - 0xa0);
  if (token >= 0xe0) return token - 0x100;
  switch (token) {
    case 0xc0:
      return null;
    case 0xc1:
      return { name: 'MessagePack 0xC1' };
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
    case 0xc5:
    case 0xc6: {
      const at = need(uint(1 << (token - 0xc4)));
      // a copy (msgpackr's copyBuffers): the frame's bytes are not kept alive by a value
      return Uint8Array.prototype.slice.call(src, at, pos) as Buffer;
    }
    case 0xc7:
    case 0xc8:
    case 0xc9:
      return readExt(uint(1 << (token - 0xc7)));
    case 0xca:
      return src.readFloatBE(need(4));
    case 0xcb:
      return src.readDoubleBE(need(8));
    case 0xcc:
    case 0xcd:
    case 0xce:
      return uint(1 << (token - 0xcc));
    case 0xcf:
      return src.readBigUInt64BE(need(8));
    case 0xd0:
      return src.readInt8(need(1));
    case 0xd1:
      return src.readInt16BE(need(2));
    case 0xd2:
      return src.readInt32BE(need(4));
    case 0xd3:
      return src.readBigInt64BE(need(8));
    case 0xd9:
    case 0xda:
    case 0xdb:
      return readString(uint(1 << (token - 0xd9)));
    case 0xdc:
    case 0xdd:
      return readArray(uint(2 << (token - 0xdc)));
    case 0xde:
    case 0xdf:
      return readMap(uint(2 << (token - 0xde)));
    default:
      // 0xd4–0xd8: fixext 1, 2, 4, 8, 16
      return readExt(1 << (token - 0xd4));
  }
}

type Slicer = { utf8Slice?: (start: number, end: number) => string };

function readString(length: number): string {
  const at = need(length);
  // Buffer's own UTF-8 slice, what toString('utf8') calls after checking its arguments
  const slicer = src as Slicer;
  return slicer.utf8Slice ? slicer.utf8Slice(at, pos) : src.toString('utf8', at, pos);
}

function readArray(length: number): unknown[] {
  const array = new Array<unknown>(length);
  for (let i = 0; i < length; i++) array[i] = read();
  return array;
}

function readMap(length: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    const key = read();
    // msgpackr's rule: strings as they are, numbers, booleans, BigInts and null/undefined as text
    const name =
      typeof key === 'string'
        ? key
        : typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint' || key == null
          ? String(key)
          : null;
    if (name === null) throw new MsgpackError('Invalid property type for record');
    object[name === '__proto__' ? '__proto_' : name] = read();
  }
  return object;
}

function readExt(length: number): unknown {
  const type = src[need(1)]!;
  const at = need(length);
  if (type === 0x00) return undefined;
  if (type !== 0xff) throw new MsgpackError(`Unknown extension type ${type}`);
  // timestamps 32, 64 and 96
  if (length === 4) return new Date(src.readUInt32BE(at) * 1000);
  if (length === 8) {
    const high = src.readUInt32BE(at);
    return new Date((high >>> 2) / 1e6 + ((high & 0x3) * 0x100000000 + src.readUInt32BE(at + 4)) * 1000);
  }
  if (length === 12) return new Date(src.readUInt32BE(at) / 1e6 + Number(src.readBigInt64BE(at + 4)) * 1000);
  return new Date('invalid');
}
