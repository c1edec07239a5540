import { ErrorCodes, VelosError } from '@velos/core';
import {
  checkFrameMagic,
  FRAME_HEADER_BYTES,
  frameLengthOf,
  frameOf,
  MAX_FRAME_BYTES,
} from '@velos/core/frame-header';
import { packPlain } from './plain-pack.js';
import { unpackPlain } from './plain-unpack.js';

/**
 * The frame codec of the CLI's quick paths (issue 17): what `@velos/core/codec` does for a client, with
 * the small MessagePack reader and writer of plain-unpack.ts and plain-pack.ts instead of msgpackr. The
 * quick bundles (dist/velos.cjs, dist/velos-start.cjs, dist/velos-complete.cjs) are built with `@velos/core/codec` resolved to
 * this module, so the client's `Connection` runs unchanged over it; the errors are those of core's
 * `FrameDecoder`.
 */
export { FRAME_HEADER_BYTES, MAX_FRAME_BYTES };

/** Encodes one message (plain data) as a frame: header + MessagePack payload. */
export function encodeFrame(message: unknown): Buffer {
  return frameOf(packPlain(message));
}

/** Splits received bytes into frames and decodes them; throws a `VelosError` on a bad frame, as core's does. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Decodes every message a chunk completes. */
  push(chunk: Buffer): unknown[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: unknown[] = [];
    for (;;) {
      const buf = this.pending;
      checkFrameMagic(buf, buf.length);
      if (buf.length < FRAME_HEADER_BYTES) break;
      const end = FRAME_HEADER_BYTES + frameLengthOf(buf, this.maxFrameBytes);
      if (buf.length < end) break;
      this.pending = buf.subarray(end);
      messages.push(decodePayload(buf.subarray(FRAME_HEADER_BYTES, end)));
    }
    return messages;
  }
}

function decodePayload(payload: Buffer): unknown {
  let message: unknown;
  try {
    message = unpackPlain(payload);
  } catch (cause) {
    throw new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: payload is not valid msgpack', { cause });
  }
  if (message === undefined) {
    throw new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: payload is undefined, not a message');
  }
  return message;
}
