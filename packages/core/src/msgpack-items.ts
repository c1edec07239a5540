import { ErrorCodes, VelosError } from './errors.js';

/**
 * The extension types Velos writes (msgpackr with `moreTypes: false`): 0 for `undefined`, -1 (0xff) for
 * a timestamp. msgpackr reads more (Sets, Errors, RegExps, records, structured-clone references), some of
 * which read the values after them or move its reader elsewhere, out of reach of a count of items.
 */
const PROTOCOL_EXTENSIONS: ReadonlySet<number> = new Set([0x00, 0xff]);

/** Keys of a request's envelope `{id, cmd, payload}`, besides those of its payload. */
const ENVELOPE_KEYS = 3;

/** Bounds on the maps of a request, checked with its items before it is decoded (`PAYLOAD_LIMITS`). */
export interface MessagePackMapLimits {
  /** Keys of one map. */
  maxEntries: number;
  /**
   * Values of a request's payload (`PAYLOAD_LIMITS.maxValues`): each map key of the payload has one, so
   * a frame of more than this many keys besides the envelope's 3 (`id`, `cmd`, `payload`) has more.
   */
  maxValues: number;
}

/**
 * Checks, before the payload is decoded, that it holds at most `maxItems` MessagePack items (values and
 * map keys) and that no container claims more items than bytes remain: a 16 MiB frame of empty maps
 * would otherwise become 16 million objects and exhaust the daemon's heap. Reads only the headers, so
 * its cost is a pass over the bytes; an extension other than `undefined` and timestamps is refused too.
 * Throws `PROTOCOL_ERROR`. With `maps`, a map of more than `maps.maxEntries` keys, or more keys in all
 * than a payload of `maps.maxValues` values can hold, throws `INVALID_ARGUMENT` (the bytes are valid;
 * the request is not), worded as `checkPayloadLimits` words the same breach after decoding: each
 * distinct key costs V8 a string and a property of a dictionary object, ~3 µs, so the 1 000 000 keys a
 * 9 MB frame holds blocked the daemon for seconds (17 s under load) before any limit was checked.
 */
export function checkMessagePackItems(
  payload: Uint8Array,
  maxItems: number,
  maps?: MessagePackMapLimits,
): void {
  let pos = 0;
  let items = 0;
  let keys = 0;
  /** Items announced by the containers read so far and not read yet. */
  let pending = 1;
  while (pending > 0) {
    if (pos >= payload.length) throw notMessagePack();
    pending -= 1;
    items += 1;
    if (items > maxItems) {
      throw new VelosError(
        ErrorCodes.PROTOCOL_ERROR,
        `bad frame: more than ${maxItems} MessagePack values and keys, the limit of one request`,
      );
    }
    const token = payload[pos]!;
    const step = stepOf(payload, pos, token);
    pos += step.bytes;
    pending += step.children;
    // every item takes at least one byte: a claim beyond the bytes left is a lie
    if (pending > payload.length - pos) throw notMessagePack();
    if (maps && isMap(token)) {
      const entries = step.children / 2;
      keys += entries;
      if (entries > maps.maxEntries) {
        throw tooManyKeys(`a map of ${entries} keys, at most ${maps.maxEntries}`);
      }
      if (keys > maps.maxValues + ENVELOPE_KEYS) {
        throw tooManyKeys(`payload: more than ${maps.maxValues} values in one request`);
      }
    }
  }
}

function isMap(token: number): boolean {
  return (token >= 0x80 && token < 0x90) || token === 0xde || token === 0xdf;
}

function tooManyKeys(detail: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, detail);
}

/**
 * The position just past the item at `pos` and everything it contains, reading headers only; throws
 * `PROTOCOL_ERROR` when the bytes end first.
 */
export function skipMessagePackItem(payload: Uint8Array, pos: number): number {
  let at = pos;
  let pending = 1;
  while (pending > 0) {
    if (at >= payload.length) throw notMessagePack();
    pending -= 1;
    const step = stepOf(payload, at, payload[at]!);
    at += step.bytes;
    pending += step.children;
    if (pending > payload.length - at) throw notMessagePack();
  }
  return at;
}

interface Step {
  /** Bytes of the item's header and of its own data (not its children). */
  bytes: number;
  /** Items that follow as its content. */
  children: number;
}

function stepOf(payload: Uint8Array, pos: number, token: number): Step {
  if (token < 0x80 || token >= 0xe0) return { bytes: 1, children: 0 };
  if (token < 0x90) return { bytes: 1, children: 2 * (token - 0x80) };
  if (token < 0xa0) return { bytes: 1, children: token - 0x90 };
  if (token < 0xc0) return { bytes: 1 + token - 0xa0, children: 0 };
  switch (token) {
    case 0xc4:
    case 0xd9:
      return { bytes: 2 + uint(payload, pos + 1, 1), children: 0 };
    case 0xc5:
    case 0xda:
      return { bytes: 3 + uint(payload, pos + 1, 2), children: 0 };
    case 0xc6:
    case 0xdb:
      return { bytes: 5 + uint(payload, pos + 1, 4), children: 0 };
    case 0xc7:
      return extension(payload, pos + 2, 3, uint(payload, pos + 1, 1));
    case 0xc8:
      return extension(payload, pos + 3, 4, uint(payload, pos + 1, 2));
    case 0xc9:
      return extension(payload, pos + 5, 6, uint(payload, pos + 1, 4));
    case 0xca:
      return { bytes: 5, children: 0 };
    case 0xcb:
      return { bytes: 9, children: 0 };
    case 0xcc:
    case 0xd0:
      return { bytes: 2, children: 0 };
    case 0xcd:
    case 0xd1:
      return { bytes: 3, children: 0 };
    case 0xce:
    case 0xd2:
      return { bytes: 5, children: 0 };
    case 0xcf:
    case 0xd3:
      return { bytes: 9, children: 0 };
    case 0xd4:
      return extension(payload, pos + 1, 2, 1);
    case 0xd5:
      return extension(payload, pos + 1, 2, 2);
    case 0xd6:
      return extension(payload, pos + 1, 2, 4);
    case 0xd7:
      return extension(payload, pos + 1, 2, 8);
    case 0xd8:
      return extension(payload, pos + 1, 2, 16);
    case 0xdc:
      return { bytes: 3, children: uint(payload, pos + 1, 2) };
    case 0xdd:
      return { bytes: 5, children: uint(payload, pos + 1, 4) };
    case 0xde:
      return { bytes: 3, children: 2 * uint(payload, pos + 1, 2) };
    case 0xdf:
      return { bytes: 5, children: 2 * uint(payload, pos + 1, 4) };
    default:
      // nil, 0xc1, false, true
      return { bytes: 1, children: 0 };
  }
}

/** An extension whose type byte is at `typeAt`, with `head` bytes before its `length` bytes of data. */
function extension(payload: Uint8Array, typeAt: number, head: number, length: number): Step {
  if (typeAt >= payload.length) throw notMessagePack();
  const type = payload[typeAt]!;
  if (!PROTOCOL_EXTENSIONS.has(type)) {
    throw new VelosError(
      ErrorCodes.PROTOCOL_ERROR,
      `bad frame: MessagePack extension type ${type} is not part of the protocol`,
    );
  }
  return { bytes: head + length, children: 0 };
}

/** A big-endian unsigned integer of 1, 2 or 4 bytes at `at`. */
function uint(payload: Uint8Array, at: number, bytes: 1 | 2 | 4): number {
  if (at + bytes > payload.length) throw notMessagePack();
  if (bytes === 1) return payload[at]!;
  if (bytes === 2) return (payload[at]! << 8) | payload[at + 1]!;
  return payload[at]! * 0x1000000 + ((payload[at + 1]! << 16) | (payload[at + 2]! << 8) | payload[at + 3]!);
}

function notMessagePack(): VelosError {
  return new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: payload is not valid msgpack');
}
