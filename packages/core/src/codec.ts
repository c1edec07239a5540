export {
  encodeFrame,
  FrameDecoder,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC_0,
  FRAME_MAGIC_1,
  FRAME_VERSION,
  MAX_FRAME_BYTES,
} from './frame-codec.js';
