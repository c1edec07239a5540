import type { Readable } from 'node:stream';

/**
 * Size of the one buffer every captured pipe is read into: a Linux pipe holds 64 KiB unless resized,
 * so no read returns more (Node reads a stream in 64 KiB chunks too).
 */
export const SHARED_READ_BYTES = 64 * 1024;

/**
 * Bytes before each read in the shared buffer that the handler may overwrite: room to put a partial line
 * carried from the previous read in front of the new bytes, so that it goes out with them in one batch.
 */
export const SHARED_READ_HEADROOM = 8 * 1024;

/**
 * Gets each read of a stream: `data` is a view of the shared buffer, valid only during the call, and the
 * `headroom` bytes before it in its ArrayBuffer (SHARED_READ_HEADROOM, or 0) are free to overwrite.
 */
export type SharedReadHandler = (data: Buffer, headroom: number) => void;

/** The libuv stream under a `net.Socket`, as far as user-buffer reads need it (Node's internal `_handle`). */
interface UserBufferHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/** Node's own per-socket slots of the `onread` option of `net.Socket` (see `onStreamRead`). */
interface OnreadKeys {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

let shared: Buffer | null = null;
let keys: OnreadKeys | null | undefined;

/**
 * Makes `stream` (a `net.Socket` over a child's pipe or a FIFO) read into one buffer shared by every
 * captured stream of the daemon, as the `onread` option of `net.Socket` does for a socket it creates,
 * instead of a fresh 64 KiB buffer per read that lives until the next garbage collection (issue 17:
 * page faults, munmap and major GCs driven by external memory were a third of the daemon's CPU while
 * ten apps logged). Reads are handled synchronously and one at a time on the event loop, so one
 * buffer serves all streams: `onRead` must copy what it keeps. Bytes Node had read before the switch
 * are passed first. The stream is left flowing, so 'end' and 'close' come as usual; pausing and
 * resuming work as for any socket read with `onread`. Returns false, changing nothing, when the
 * stream is not such a socket or this Node keeps its reads otherwise: then read it the usual way.
 */
export function readIntoSharedBuffer(stream: Readable, onRead: SharedReadHandler): boolean {
  const handle = (stream as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || stream.destroyed) return false;
  if (stream.readableEncoding !== null || stream.readableObjectMode) return false;
  const slots = onreadKeys(stream);
  if (slots === null) return false;
  const socket = stream as unknown as Record<symbol, unknown>;
  if (socket[slots.buffer] !== null || socket[slots.generator] !== null) return false;
  // what Node read before the switch, all of it in one buffer (a paused stream's read() takes it all)
  const earlier = stream.readableLength > 0 ? (stream.read() as Buffer | null) : null;
  shared ??= Buffer.allocUnsafeSlow(SHARED_READ_HEADROOM + SHARED_READ_BYTES);
  const all = shared;
  const reads = all.subarray(SHARED_READ_HEADROOM);
  socket[slots.callback] = (length: number): void =>
    onRead(all.subarray(SHARED_READ_HEADROOM, SHARED_READ_HEADROOM + length), SHARED_READ_HEADROOM);
  socket[slots.buffer] = reads;
  handle.useUserBuffer(reads);
  if (earlier !== null && earlier.length > 0) onRead(earlier, 0);
  stream.resume();
  return true;
}

/**
 * The symbols under which `net.Socket` keeps its `onread` buffer, callback and buffer generator: own
 * properties of every socket, set to null unless the option was given. Found once by their names;
 * null when this Node has other ones (its reads are then left alone).
 */
function onreadKeys(stream: Readable): OnreadKeys | null {
  if (keys !== undefined) return keys;
  const symbols = Object.getOwnPropertySymbols(stream);
  const find = (name: string) => symbols.find((symbol) => symbol.description === name);
  const buffer = find('kBuffer');
  const callback = find('kBufferCb');
  const generator = find('kBufferGen');
  keys = buffer && callback && generator ? { buffer, callback, generator } : null;
  return keys;
}
