/// <reference lib="es2024.arraybuffer" />
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
import { RefusedRequest, refuseRequest } from './refused-request.js';

// the header's constants live in frame-header.ts (no msgpackr there: the CLI's quick paths read them)
export { FRAME_HEADER_BYTES, FRAME_MAGIC_0, FRAME_MAGIC_1, FRAME_VERSION, MAX_FRAME_BYTES };

/** First allocation for a frame that spans chunks; it doubles as bytes arrive, up to the frame's length. */
const INITIAL_FRAME_BUFFER_BYTES = 64 * 1024;

// copyBuffers: a decoded binary value must not be a view of the frame buffer, which is released at once
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
 * Incremental frame decoder for a byte stream. `push` returns the messages completed by a chunk;
 * `write` + `next` decode one message at a time, so a reader can stop decoding while it is busy.
 * Both throw a `VelosError` (`PROTOCOL_ERROR` or `FRAME_TOO_LARGE`) on a bad header or payload;
 * after a throw the stream is unusable and the connection should be closed. A frame that spans
 * chunks is copied into a resizable buffer that grows with the bytes received (never sized by the
 * claim alone) and is shrunk to nothing as soon as the frame is decoded or `dispose` is called, so
 * its memory goes back to the system without waiting for a garbage collection. With `maxItems` (the
 * daemon reading requests), a payload of more MessagePack values and keys, or with an extension Velos
 * does not write, is refused before it is decoded. With `maps` too, a complete frame whose maps hold
 * more keys than a request may (one map, or all together) is not decoded either: `next` returns a
 * `RefusedRequest` carrying the request's id and an `INVALID_ARGUMENT` error, and the stream goes on
 * (it throws `PROTOCOL_ERROR` when the frame has no usable id).
 */
export class FrameDecoder {
  private input: Buffer[] = [];
  private inputBytes = 0;
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  /** Payload length of the frame being received, or -1 while its header is incomplete. */
  private frameLength = -1;
  private frame: ArrayBuffer | null = null;
  private frameFilled = 0;
  /** Payload bytes of the last frame decoded. */
  private lastLength = 0;

  constructor(
    private readonly maxFrameBytes = MAX_FRAME_BYTES,
    private readonly maxItems = Number.POSITIVE_INFINITY,
    private readonly maps?: MessagePackMapLimits,
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
    const first = this.input[0];
    if (this.frame === null && (this.frameLength === 0 || (first && first.length >= this.frameLength))) {
      // the whole payload is in one chunk: decode it in place
      const payload = first ? first.subarray(0, this.frameLength) : Buffer.alloc(0);
      this.consume(this.frameLength);
      return this.finish(payload);
    }
    if (this.inputBytes === 0) return undefined;
    this.fillFrame();
    if (this.frameFilled < this.frameLength) return undefined;
    const frame = this.frame!;
    this.frame = null;
    this.frameFilled = 0;
    try {
      return this.finish(Buffer.from(frame, 0, this.frameLength));
    } finally {
      frame.resize(0);
    }
  }

  /** Payload bytes of the last message `next` returned (0 before the first). */
  get lastFrameBytes(): number {
    return this.lastLength;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.inputBytes + this.headerFilled + this.frameFilled;
  }

  /** Bytes of memory the decoder holds: unread chunks plus the buffer of the frame being received. */
  get heldBytes(): number {
    return this.inputBytes + (this.frame?.byteLength ?? 0);
  }

  /** True while a frame has started (header or payload bytes received) but is not complete. */
  get isMidFrame(): boolean {
    return this.headerFilled > 0;
  }

  /** Drops everything received and releases the frame buffer's memory at once; the decoder is unusable after. */
  dispose(): void {
    this.input = [];
    this.inputBytes = 0;
    this.frame?.resize(0);
    this.frame = null;
    this.frameFilled = 0;
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

  private fillFrame(): void {
    const wanted = Math.min(this.frameLength, this.frameFilled + this.inputBytes);
    if (this.frame === null || this.frame.byteLength < wanted) this.grow(wanted);
    const frame = new Uint8Array(this.frame!);
    while (this.frameFilled < this.frameLength && this.inputBytes > 0) {
      const first = this.input[0]!;
      const n = Math.min(this.frameLength - this.frameFilled, first.length);
      first.copy(frame, this.frameFilled, 0, n);
      this.frameFilled += n;
      this.consume(n);
    }
  }

  private grow(wanted: number): void {
    this.frame ??= new ArrayBuffer(0, { maxByteLength: this.frameLength });
    let size = Math.max(this.frame.byteLength, INITIAL_FRAME_BUFFER_BYTES);
    while (size < wanted) size *= 2;
    this.frame.resize(Math.min(size, this.frameLength));
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
