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
