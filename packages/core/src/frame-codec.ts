import { Packr } from 'msgpackr';
import { ErrorCodes, isVelosError, VelosError } from './errors.js';

import {
  checkFrameMagic,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC_0,
  FRAME_MAGIC_1,
  FRAME_VERSION,
  frameLengthOf,
  frameOf,
  MAX_FRAME_BYTES,
} from './frame-header.js';
import { checkMessagePackItems, type MessagePackMapLimits } from './msgpack-items.js';
import { RefusedRequest, refuseLargePayload, refuseRequest } from './refused-request.js';

// the header's constants live in frame-header.ts (no msgpackr there: the CLI's quick paths read them)
export { FRAME_HEADER_BYTES, FRAME_MAGIC_0, FRAME_MAGIC_1, FRAME_VERSION, MAX_FRAME_BYTES };

/**
 * Memory a held chunk costs besides its bytes (its Buffer, ArrayBuffer and backing store records), counted
 * in `heldBytes`: a client that trickles a frame a byte at a time is held to the budget by what it costs.
 */
const CHUNK_OVERHEAD_BYTES = 256;

// copyBuffers: a decoded binary value must not be a view of the frame's bytes (a received chunk it would keep alive)
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true, copyBuffers: true });

/**
 * msgpackr encodes into one buffer it keeps for the next message and grows (up to 4×) when a message
 * does not fit: after a 16 MiB answer it would hold ~32 MiB for good. Past this size the payload is
 * copied into the frame and the encoder gets a fresh small buffer instead.
 */
const KEPT_ENCODE_BUFFER_BYTES = 1024 * 1024;
const FRESH_ENCODE_BUFFER_BYTES = 8192;

/** Encodes one message as a frame: header + msgpack payload. */
export function encodeFrame(message: unknown): Buffer {
  const payload = packr.pack(message);
  if (payload.length > KEPT_ENCODE_BUFFER_BYTES) {
    // the frame copy below is made first; the big buffer then goes with `payload`
    try {
      return frameOf(payload);
    } finally {
      packr.useBuffer(Buffer.allocUnsafeSlow(FRESH_ENCODE_BUFFER_BYTES));
    }
  }
  return frameOf(payload);
}

/**
 * A bound on the payload of each command, checked before a frame of more than `fromBytes` is decoded:
 * `breach` is told the command (null when unreadable) and the payload's encoded bytes, and returns the
 * error to answer, or null (`payloadBytesBreach`).
 */
export interface PayloadBytesCheck {
  fromBytes: number;
  breach: (cmd: string | null, payloadBytes: number) => VelosError | null;
}

/**
 * Incremental frame decoder for a byte stream. `push` returns the messages completed by a chunk;
 * `write` + `next` decode one message at a time, so a reader can stop decoding while it is busy.
 * Both throw a `VelosError` (`PROTOCOL_ERROR` or `FRAME_TOO_LARGE`) on a bad header or payload;
 * after a throw the stream is unusable and the connection should be closed. The chunks of a frame that
 * spans reads are kept as they came, never copied nor sized by the header's claim, until the frame is
 * complete: then they are joined in one copy (none when one chunk holds the whole payload). A frame that
 * is never completed (a client that announces 16 MiB and stops short) costs no copy at all, and its
 * chunks go with the next garbage collection once it is dropped (`dispose`). With `maxItems` (the
 * daemon reading requests), a payload of more MessagePack values and keys, or with an extension Velos
 * does not write, is refused before it is decoded. With `maps` too, a complete frame whose maps hold
 * more keys than a request may (one map, or all together) is not decoded either: `next` returns a
 * `RefusedRequest` carrying the request's id and an `INVALID_ARGUMENT` error, and the stream goes on
 * (it throws `PROTOCOL_ERROR` when the frame has no usable id). With `payloadBytes`, so is a request
 * whose payload is larger than its command takes (`list` with megabytes of maps).
 */
export class FrameDecoder {
  private input: Buffer[] = [];
  private inputBytes = 0;
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  /** Payload length of the frame being received, or -1 while its header is incomplete. */
  private frameLength = -1;
  /** Payload bytes of the last frame decoded. */
  private lastLength = 0;

  constructor(
    private readonly maxFrameBytes = MAX_FRAME_BYTES,
    private readonly maxItems = Number.POSITIVE_INFINITY,
    private readonly maps?: MessagePackMapLimits,
    private readonly payloadBytes?: PayloadBytesCheck,
  ) {}

  /** Decodes every message a chunk completes. */
  push(chunk: Buffer): unknown[] {
    this.write(chunk);
    const messages: unknown[] = [];
    for (let message = this.next(); message !== undefined; message = this.next()) messages.push(message);
    return messages;
  }

  /** Adds received bytes without decoding them. */
  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.input.push(chunk);
    this.inputBytes += chunk.length;
  }

  /** Decodes the next complete message, or returns `undefined` when none is complete yet. */
  next(): unknown {
    if (this.frameLength < 0) {
      this.fillHeader();
      if (this.frameLength < 0) return undefined;
    }
    // nothing is copied before the whole payload is here: a frame that never completes costs no copy
    if (this.inputBytes < this.frameLength) return undefined;
    return this.finish(this.take(this.frameLength));
  }

  /** Payload bytes of the last message `next` returned (0 before the first). */
  get lastFrameBytes(): number {
    return this.lastLength;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.inputBytes + this.headerFilled;
  }

  /** Memory the decoder holds: the bytes of the chunks not decoded yet, and what each chunk costs besides. */
  get heldBytes(): number {
    return this.inputBytes + this.input.length * CHUNK_OVERHEAD_BYTES;
  }

  /** Payload bytes the header of the frame being received announces (0 while no header is complete). */
  get announcedBytes(): number {
    return Math.max(this.frameLength, 0);
  }

  /** True while a frame has started (header or payload bytes received) but is not complete. */
  get isMidFrame(): boolean {
    return this.headerFilled > 0;
  }

  /** Drops everything received (collected with the next garbage collection); the decoder is unusable after. */
  dispose(): void {
    this.input = [];
    this.inputBytes = 0;
  }

  private fillHeader(): void {
    while (this.headerFilled < FRAME_HEADER_BYTES && this.inputBytes > 0) {
      const first = this.input[0]!;
      const n = Math.min(FRAME_HEADER_BYTES - this.headerFilled, first.length);
      first.copy(this.header, this.headerFilled, 0, n);
      this.headerFilled += n;
      this.consume(n);
    }
    checkFrameMagic(this.header, this.headerFilled);
    if (this.headerFilled < FRAME_HEADER_BYTES) return;
    const length = frameLengthOf(this.header, this.maxFrameBytes);
    this.frameLength = length;
  }

  /**
   * The next `n` received bytes (at most `inputBytes`) as one Buffer: a view of the first chunk when it
   * holds them all, else one copy of the chunks they span.
   */
  private take(n: number): Buffer {
    const first = this.input[0];
    if (n === 0 || first === undefined) return Buffer.alloc(0);
    if (first.length >= n) {
      const bytes = first.subarray(0, n);
      this.consume(n);
      return bytes;
    }
    // not from Node's shared pool: the payload may be large, and it goes as soon as it is decoded
    const joined = Buffer.allocUnsafeSlow(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.input[0]!;
      const count = Math.min(n - filled, chunk.length);
      chunk.copy(joined, filled, 0, count);
      filled += count;
      this.consume(count);
    }
    return joined;
  }

  private consume(n: number): void {
    if (n === 0) return;
    const first = this.input[0]!;
    if (n >= first.length) this.input.shift();
    else this.input[0] = first.subarray(n);
    this.inputBytes -= n;
  }

  private finish(payload: Buffer): unknown {
    this.headerFilled = 0;
    this.frameLength = -1;
    this.lastLength = payload.length;
    if (this.maxItems !== Number.POSITIVE_INFINITY) {
      try {
        checkMessagePackItems(payload, this.maxItems, this.maps);
      } catch (error) {
        if (!isVelosError(error) || error.code !== ErrorCodes.INVALID_ARGUMENT) throw error;
        const refusal = refuseRequest(payload, error.message);
        if (refusal instanceof RefusedRequest) return refusal;
        throw refusal;
      }
    }
    // after the counts: what they refuse (a frame of millions of values, a map of too many keys) is
    // refused as before, whatever the command
    if (this.payloadBytes && payload.length > this.payloadBytes.fromBytes) {
      const refusal = refuseLargePayload(payload, this.payloadBytes.breach);
      if (refusal instanceof RefusedRequest) return refusal;
      if (refusal !== null) throw refusal;
    }
    let message: unknown;
    try {
      message = packr.unpack(payload);
    } catch (cause) {
      throw new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: payload is not valid msgpack', { cause });
    }
    // `undefined` (msgpackr's d4 00 00) is how `next` says "no message yet": as a message it is an error,
    // else the frame would vanish unanswered and the frames behind it would wait for more bytes
    if (message === undefined) {
      throw new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: payload is undefined, not a message');
    }
    return message;
  }
}
