import { ErrorCodes, VelosError } from './errors.js';
import { skipMessagePackItem } from './msgpack-items.js';

/** Characters of a command name repeated in a refusal; a longer name is no command anyway. */
const MAX_SHOWN_COMMAND_CHARS = 64;

/**
 * A complete request frame refused before it was decoded (its maps hold too many keys): the stream is
 * still in step, so the request is answered with `error` under its own `id` and the connection goes on.
 */
export class RefusedRequest {
  constructor(
    readonly id: number,
    readonly error: VelosError,
  ) {}
}

/** What the envelope `{id, cmd, payload}` of an undecoded request says, read from its bytes alone. */
export interface RequestEnvelope {
  /** The request's id when it is a positive safe integer, else null. */
  id: number | null;
  /** The command name when it is a short string, else null. */
  cmd: string | null;
  /** Bytes of the `payload` value (0 without one), or null when the bytes end inside it. */
  payloadBytes: number | null;
}

/**
 * Reads `id` and `cmd` from the top-level map of a request payload, and the size of its `payload`, without
 * decoding the rest (each other value is skipped by its headers): a pass over the bytes at most. Anything
 * unreadable is null.
 */
export function readRequestEnvelope(payload: Uint8Array): RequestEnvelope {
  const envelope: RequestEnvelope = { id: null, cmd: null, payloadBytes: 0 };
  try {
    const map = mapHeader(payload, 0);
    if (map === null) return envelope;
    let pos = map.bytes;
    for (let i = 0; i < map.entries; i += 1) {
      const key = stringAt(payload, pos);
      pos = skipMessagePackItem(payload, pos);
      if (key === 'id') envelope.id = positiveIntegerAt(payload, pos);
      else if (key === 'cmd') envelope.cmd = stringAt(payload, pos);
      else if (key === 'payload') envelope.payloadBytes = null;
      const start = pos;
      pos = skipMessagePackItem(payload, pos);
      if (key === 'payload') envelope.payloadBytes = pos - start;
    }
  } catch {
    // bytes cut short or not MessagePack: what was read so far stands
  }
  if (envelope.cmd !== null && envelope.cmd.length > MAX_SHOWN_COMMAND_CHARS) envelope.cmd = null;
  return envelope;
}

/**
 * The refusal before decoding of a request whose payload is larger than its command takes (`breach`
 * says how large a payload of command `cmd` may be, `payloadBytesBreach`): null when it is not, else a
 * `RefusedRequest` under the request's id or, when its envelope has no usable id, a `PROTOCOL_ERROR` to
 * throw (the request could not have been answered anyway).
 */
export function refuseLargePayload(
  payload: Uint8Array,
  breach: (cmd: string | null, payloadBytes: number) => VelosError | null,
): RefusedRequest | VelosError | null {
  const { id, cmd, payloadBytes } = readRequestEnvelope(payload);
  const error = payloadBytes === null ? null : breach(cmd, payloadBytes);
  if (error === null) return null;
  if (id === null) return new VelosError(ErrorCodes.PROTOCOL_ERROR, `bad request: ${error.message}`);
  return new RefusedRequest(id, error);
}

/**
 * The refusal of a request whose maps break a limit (`detail`, from `checkMessagePackItems`): a
 * `RefusedRequest` under the request's id, or, when its envelope has no usable id, a `PROTOCOL_ERROR`
 * to throw (the request could not have been answered anyway).
 */
export function refuseRequest(payload: Uint8Array, detail: string): RefusedRequest | VelosError {
  const { id, cmd } = readRequestEnvelope(payload);
  if (id === null) return new VelosError(ErrorCodes.PROTOCOL_ERROR, `bad request: ${detail}`);
  const message = `${cmd ?? 'request'}: ${detail}`;
  return new RefusedRequest(
    id,
    new VelosError(ErrorCodes.INVALID_ARGUMENT, message, {
      data: { issues: [{ path: '', message: detail }] },
    }),
  );
}

function mapHeader(payload: Uint8Array, pos: number): { entries: number; bytes: number } | null {
  const token = payload[pos];
  if (token === undefined) return null;
  if (token >= 0x80 && token < 0x90) return { entries: token - 0x80, bytes: 1 };
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (token === 0xde && pos + 3 <= payload.length) return { entries: view.getUint16(pos + 1), bytes: 3 };
  if (token === 0xdf && pos + 5 <= payload.length) return { entries: view.getUint32(pos + 1), bytes: 5 };
  return null;
}

/** The string at `pos` when it is a fixstr or str8 (command names and envelope keys are short), else null. */
function stringAt(payload: Uint8Array, pos: number): string | null {
  const token = payload[pos];
  if (token === undefined) return null;
  let start: number;
  let length: number;
  if (token >= 0xa0 && token < 0xc0) {
    start = pos + 1;
    length = token - 0xa0;
  } else if (token === 0xd9 && pos + 2 <= payload.length) {
    start = pos + 2;
    length = payload[pos + 1]!;
  } else {
    return null;
  }
  if (start + length > payload.length) return null;
  return Buffer.from(payload.buffer, payload.byteOffset + start, length).toString('utf8');
}

/** The positive safe integer at `pos` (uint 7/8/16/32/64 or a float64 holding one), else null. */
function positiveIntegerAt(payload: Uint8Array, pos: number): number | null {
  const token = payload[pos];
  if (token === undefined) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let value: number;
  if (token < 0x80) value = token;
  else if (token === 0xcc && pos + 2 <= payload.length) value = view.getUint8(pos + 1);
  else if (token === 0xcd && pos + 3 <= payload.length) value = view.getUint16(pos + 1);
  else if (token === 0xce && pos + 5 <= payload.length) value = view.getUint32(pos + 1);
  else if (token === 0xcf && pos + 9 <= payload.length) value = Number(view.getBigUint64(pos + 1));
  else if (token === 0xcb && pos + 9 <= payload.length) value = view.getFloat64(pos + 1);
  else return null;
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}
