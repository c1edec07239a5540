export {
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC_0,
  FRAME_MAGIC_1,
  FRAME_VERSION,
  FrameDecoder,
  MAX_FRAME_BYTES,
  type PayloadBytesCheck,
} from './frame-codec.js';
export type { MessagePackMapLimits } from './msgpack-items.js';
export { payloadBytesBreach, SMALL_PAYLOAD_BYTES } from './payload-bytes.js';
export { RefusedRequest } from './refused-request.js';
