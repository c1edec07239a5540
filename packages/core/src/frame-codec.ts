import { Packr } from 'msgpackr';
import { ErrorCodes, VelosError } from './errors.js';

/** First two bytes of every frame: "VE". */
export const FRAME_MAGIC_0 = 0x56;
/** Second magic byte. */
export const FRAME_MAGIC_1 = 0x45;
/** Protocol version carried in byte 3 of every frame. */
export const FRAME_VERSION = 0x01;
/** Header size: magic (2) + version (1) + u32 LE length (4). */
export const FRAME_HEADER_BYTES = 7;
/** Largest payload a frame may claim: 16 MiB. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** Encodes one message as a frame: header + msgpack payload. */
export function encodeFrame(message: unknown): Buffer {
  const payload = packr.pack(message);
  if (payload.length > MAX_FRAME_BYTES) {
    throw new VelosError(
      ErrorCodes.FRAME_TOO_LARGE,
      `frame of ${payload.length} bytes exceeds ${MAX_FRAME_BYTES}`,
    );
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame[0] = FRAME_MAGIC_0;
  frame[1] = FRAME_MAGIC_1;
  frame[2] = FRAME_VERSION;
  frame.writeUInt32LE(payload.length, 3);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Incremental frame decoder for a byte stream. `push` returns the messages completed by a chunk
 * and throws a `VelosError` (`PROTOCOL_ERROR` or `FRAME_TOO_LARGE`) on a bad header or payload;
 * after a throw the stream is unusable and the connection should be closed.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: unknown[] = [];
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const head = this.peek(FRAME_HEADER_BYTES);
      if (head[0] !== FRAME_MAGIC_0 || head[1] !== FRAME_MAGIC_1) {
        throw new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: wrong magic bytes');
      }
      if (head[2] !== FRAME_VERSION) {
        throw new VelosError(ErrorCodes.PROTOCOL_ERROR, `bad frame: unsupported protocol version ${head[2]}`);
      }
      const length = head.readUInt32LE(3);
      if (length > MAX_FRAME_BYTES) {
        throw new VelosError(
          ErrorCodes.FRAME_TOO_LARGE,
          `bad frame: payload of ${length} bytes exceeds the ${MAX_FRAME_BYTES}-byte limit`,
        );
      }
      if (this.buffered < FRAME_HEADER_BYTES + length) break;
      const frame = this.take(FRAME_HEADER_BYTES + length);
      try {
        messages.push(packr.unpack(frame.subarray(FRAME_HEADER_BYTES)));
      } catch (cause) {
        throw new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: payload is not valid msgpack', { cause });
      }
    }
    return messages;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.peek(n);
    const frame = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return frame;
  }
}
