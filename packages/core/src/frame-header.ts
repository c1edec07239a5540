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

/** Throws PROTOCOL_ERROR when the first `filled` bytes of a header do not start with the magic bytes. */
export function checkFrameMagic(head: Uint8Array, filled: number): void {
  const isBad = (filled > 0 && head[0] !== FRAME_MAGIC_0) || (filled > 1 && head[1] !== FRAME_MAGIC_1);
  if (isBad) throw new VelosError(ErrorCodes.PROTOCOL_ERROR, 'bad frame: wrong magic bytes');
}

/** The payload length a complete header claims, after checking its version and the limit. */
export function frameLengthOf(head: Buffer, maxFrameBytes: number): number {
  if (head[2] !== FRAME_VERSION) {
    throw new VelosError(ErrorCodes.PROTOCOL_ERROR, `bad frame: unsupported protocol version ${head[2]}`);
  }
  const length = head.readUInt32LE(3);
  if (length > maxFrameBytes) {
    throw new VelosError(
      ErrorCodes.FRAME_TOO_LARGE,
      `bad frame: payload of ${length} bytes exceeds the ${maxFrameBytes}-byte limit`,
    );
  }
  return length;
}

/** One frame: the header, then `payload`; FRAME_TOO_LARGE past MAX_FRAME_BYTES. */
export function frameOf(payload: Buffer): Buffer {
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
