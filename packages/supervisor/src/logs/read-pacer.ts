import type { Readable } from 'node:stream';
import { cancelGroupWake, wakeWithGroup } from './pause-groups.js';

/** The libuv stream under a `net.Socket` (a child's pipe or a FIFO reader): Node's internal `_handle`. */
interface StreamHandle {
  readStart(): number;
  readStop(): number;
  /** Node's flag: while set, Node does not call readStart itself. */
  reading?: boolean;
}

/** Node reads a stream in chunks of at most this many bytes; a read this big means more may be waiting. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Bytes per wake-up above which the pipe was nearly full (its writer may have blocked): wait less. */
const NEARLY_FULL_BYTES = 48 * 1024;
/** Bytes per wake-up below which the pipe trickles: wait longer, so that one read takes more lines. */
const TRICKLE_BYTES = 16 * 1024;
/**
 * The longest pause between two reads of a pipe; bounds what `logs --follow` waits for a line (issue 17:
 * 8 → 16 ms, then pauses in step across pipes, cut the daemon's CPU for ten apps logging 1000 lines/s
 * each by ~26 % and ~23 % more; a line written during a pause reaches `logs -f` in ~10 ms, ~23 ms at the
 * 99th percentile).
 */
export const MAX_READ_PAUSE_MS = 16;

/**
 * Paces the reads of one pipe: once a read has emptied it, the pipe is left alone for a few
 * milliseconds so that what the child writes meanwhile is read at once, in one large read, instead of a
 * read per line (a child that calls write() per line otherwise costs the daemon a wake-up and a read
 * every few hundred bytes). The pause adapts per pipe: it doubles (up to MAX_READ_PAUSE_MS) while
 * wake-ups find little, halves when a wake-up finds the pipe nearly full and drops to none when it finds
 * it full, so a fast writer is not held back. Pipes pausing alike end their pauses together (see
 * `wakeWithGroup`), so they are read in one turn of the event loop. Also holds the reads while the file
 * writer is full (back-pressure). Only streams with a libuv handle (net.Socket) are paced; others are
 * paused and resumed the plain way.
 */
export class ReadPacer {
  readonly #stream: Readable;
  readonly #handle: StreamHandle | null;
  #pauseMs = 1;
  #wakeBytes = 0;
  /** The length of the pause under way (see `wakeWithGroup`); 0 when not pausing. */
  #pausingMs = 0;
  #isHeld = false;
  #isSuspended = false;
  #isStopped = false;
  #isClosed = false;

  constructor(stream: Readable) {
    this.#stream = stream;
    this.#handle = handleOf(stream);
  }

  /** Tells the pacer a chunk was read; pauses the reads when the pipe is empty for now. */
  onChunk(bytes: number): void {
    if (this.#handle === null || this.#isClosed || this.#isHeld) return;
    this.#wakeBytes += bytes;
    if (bytes >= READ_BUFFER_BYTES) return;
    const found = this.#wakeBytes;
    this.#wakeBytes = 0;
    // a full pipe blocked its writer for part of the pause: read at once from now on (a burst after a
    // quiet spell blocks the child for one pause at most), then let the pause grow again
    if (found >= READ_BUFFER_BYTES) this.#pauseMs = 0;
    else if (found >= NEARLY_FULL_BYTES) this.#pauseMs = this.#pauseMs <= 1 ? 0 : this.#pauseMs / 2;
    else if (found < TRICKLE_BYTES)
      this.#pauseMs = Math.min(MAX_READ_PAUSE_MS, Math.max(1, this.#pauseMs * 2));
    if (this.#pauseMs === 0) return;
    this.#stop();
    this.#startPause();
  }

  /** Stops reading until `release` (the file writer is full). */
  hold(): void {
    if (this.#isClosed) return;
    this.#isHeld = true;
    this.#cancelPause();
    if (this.#handle === null) this.#stream.pause();
    else this.#stop();
  }

  /** Reads again after `hold`. */
  release(): void {
    if (this.#isClosed || !this.#isHeld) return;
    this.#isHeld = false;
    if (this.#isSuspended) return;
    if (this.#handle === null) this.#stream.resume();
    else this.#start();
  }

  /**
   * Stops reading until `unsuspend`, whatever else would start a read (a pause's end, a drained writer,
   * `hurry`): what the child writes meanwhile stays in the pipe (a daemon hand-over, `velos update`).
   */
  suspend(): void {
    this.#isSuspended = true;
    this.#cancelPause();
    if (this.#handle === null) this.#stream.pause();
    else this.#stop();
  }

  /** Reads again after `suspend`, unless `hold` is in force. */
  unsuspend(): void {
    if (!this.#isSuspended) return;
    this.#isSuspended = false;
    // closed meanwhile (the stream ended or was detached): it reads freely again, as `close` lets it
    if (this.#isHeld) return;
    if (this.#handle === null) this.#stream.resume();
    else this.#start();
  }

  /** True when the stream's reads are paced through its libuv handle. */
  get isPaced(): boolean {
    return this.#handle !== null;
  }

  /** True while `hold` is in force. */
  get isHeld(): boolean {
    return this.#isHeld;
  }

  /** Ends a pause now: what is in the pipe is read at once (before a close). */
  hurry(): void {
    if (this.#pausingMs === 0) return;
    this.#cancelPause();
    this.#start();
  }

  /** Stops pacing: the stream reads freely from now on (it ended, or is detached and drained away). */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#cancelPause();
    this.#isHeld = false;
    this.#start();
  }

  readonly #onPauseEnd = (): void => {
    this.#pausingMs = 0;
    if (!this.#isHeld) this.#start();
  };

  /** Pauses until the pause of this length under way (or a new one) ends: pipes paused alike wake together. */
  #startPause(): void {
    this.#cancelPause();
    this.#pausingMs = this.#pauseMs;
    wakeWithGroup(this.#pausingMs, this.#onPauseEnd);
  }

  #stop(): void {
    if (this.#isStopped || this.#handle === null) return;
    this.#isStopped = true;
    this.#handle.reading = true;
    this.#handle.readStop();
  }

  #start(): void {
    if (!this.#isStopped || this.#handle === null || this.#isSuspended) return;
    this.#isStopped = false;
    if (!this.#stream.destroyed) this.#handle.readStart();
  }

  #cancelPause(): void {
    if (this.#pausingMs === 0) return;
    cancelGroupWake(this.#pausingMs, this.#onPauseEnd);
    this.#pausingMs = 0;
  }
}

/**
 * The libuv handle of a `net.Socket`, or null for any other stream. The Readable stays flowing and
 * Node's own `reading` flag stays set, so Node never restarts a read the pacer stopped.
 */
function handleOf(stream: Readable): StreamHandle | null {
  const handle = (stream as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (!handle || typeof handle.readStart !== 'function' || typeof handle.readStop !== 'function') return null;
  return handle as StreamHandle;
}
