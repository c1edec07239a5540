import type { Readable } from 'node:stream';
import type { FileWriter } from './file-writer.js';
import type { LineBatch, LogStream } from './line-batch.js';
import { LineSplitter } from './line-splitter.js';
import { ReadPacer } from './read-pacer.js';
import { readIntoSharedBuffer } from './shared-read-buffer.js';

/**
 * A partial line (output without its newline yet: `process.stdout.write('Loading...')`) is written as a
 * line once its pipe has been quiet this long…
 */
export const PARTIAL_LINE_QUIET_MS = 1000;
/** …or at the latest this long after it began to wait, however the app trickles its bytes (dots of progress). */
export const PARTIAL_LINE_MAX_WAIT_MS = 5000;
/**
 * A read of a multiple of this many bytes that ends in a partial line is taken for a block-buffered writer's
 * (C stdio, Ruby, Perl, Go's bufio: 4 or 8 KiB blocks written whole, at any byte of a line): its line
 * goes on in the next block, however much later, and is not cut.
 */
export const OUTPUT_BLOCK_BYTES = 4096;

/**
 * One attached pipe of one run: splits it into line batches, reads it in large batches (see
 * `ReadPacer`) and stops reading while its file writer is full, so that the child blocks in write()
 * instead of the daemon buffering without bound. A socket is read into the daemon's one shared read
 * buffer (see `readIntoSharedBuffer`): the batches passed to `accept` are then views of it, valid only
 * during the call.
 *
 * A partial line is not held until its newline comes: once the pipe was quiet for
 * PARTIAL_LINE_QUIET_MS (or PARTIAL_LINE_MAX_WAIT_MS after it began), it is written as a line with a
 * newline added, as the daemon does before a hand-over, and the rest of it, when it comes, starts a line
 * of its own. One timer per pipe at most, armed only while a partial line waits; a read costs a counter
 * comparison. While the reads are held (a full file writer) the rest may wait in the pipe: no cut then;
 * nor after a read of whole blocks (see OUTPUT_BLOCK_BYTES), whose line a buffered writer ends later.
 */
export class PipeCapture {
  readonly done: Promise<void>;
  readonly #stream: Readable;
  readonly which: LogStream;
  #writer: FileWriter;
  readonly #splitter: LineSplitter;
  readonly #pacer: ReadPacer;
  #ts = 0;
  /** The timer of the partial line waiting (see the class), if one waits since it was last looked at. */
  #partialTimer: NodeJS.Timeout | undefined;
  /** `LineSplitter.partialsStarted` when the partial line waiting was first seen, and the read time then. */
  #partialSeen = 0;
  #partialSince = 0;
  /** The read that left the partial line waiting was of whole blocks (see OUTPUT_BLOCK_BYTES). */
  #isBlockRead = false;
  #waitingForDrain = false;
  #finished = false;
  #resolveDone!: () => void;

  constructor(
    stream: Readable,
    which: LogStream,
    pid: number,
    maxLineBytes: number,
    writer: FileWriter,
    accept: (batch: LineBatch) => void,
  ) {
    this.#stream = stream;
    this.which = which;
    this.#writer = writer;
    this.#pacer = new ReadPacer(stream);
    this.#splitter = new LineSplitter(maxLineBytes, (data, lines) =>
      // seq and order (set by the pipeline) are there from the start: one object shape, no property array per batch
      accept({ data, lines, ts: this.#ts, stream: which, pid, seq: undefined, order: undefined }),
    );
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    stream.once('end', this.#finish);
    stream.once('close', this.#finish);
    stream.on('error', this.#finish);
    stream.on('resume', this.#onResume);
    if (!readIntoSharedBuffer(stream, this.#onRead)) stream.on('data', this.#onData);
    if (writer.isFull && !this.#finished) this.#hold();
  }

  /** Reads what waits in the pipe now instead of after the current pause (before a close). */
  hurry(): void {
    this.#pacer.hurry();
  }

  /**
   * Stops reading the pipe until `unsuspend` (a daemon hand-over): what the child writes meanwhile stays
   * in the pipe for the next reader. A partial line read so far is written as a line now: the next
   * daemon could not join it to its end, and a daemon ended after this holds nothing unwritten.
   */
  suspend(): void {
    this.#pacer.suspend();
    if (!this.#finished) this.#splitter.end();
    this.#clearPartialTimer();
  }

  /** Reads again after `suspend`. */
  unsuspend(): void {
    this.#pacer.unsuspend();
  }

  /** CFG-2: the pipe's lines go to another file writer from now on: its fullness pauses the reads. */
  setWriter(writer: FileWriter): void {
    this.#writer = writer;
  }

  /** Stops capturing: the partial line is written, later data is read and discarded. */
  detach(): void {
    this.#finish();
    this.#stream.resume();
  }

  readonly #onData = (chunk: Buffer | string): void => {
    this.#onRead(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, 0);
  };

  /** One read: `data` may be a view of the shared read buffer, with `headroom` (see `readIntoSharedBuffer`). */
  readonly #onRead = (data: Buffer, headroom: number): void => {
    // after the end (or detach) what is still read is drained away
    if (this.#finished) return;
    this.#ts = Date.now();
    this.#splitter.push(data, headroom);
    if (this.#splitter.pendingBytes > 0) this.#notePartial(data.length % OUTPUT_BLOCK_BYTES === 0);
    if (this.#writer.isFull) this.#hold();
    else this.#pacer.onChunk(data.length);
  };

  /** A read (of whole blocks: `isBlockRead`) left a partial line waiting: notes when it began, and arms the timer unless it runs. */
  #notePartial(isBlockRead: boolean): void {
    const started = this.#splitter.partialsStarted;
    if (started !== this.#partialSeen) {
      this.#partialSeen = started;
      this.#partialSince = this.#ts;
    }
    this.#isBlockRead = isBlockRead;
    if (this.#partialTimer === undefined && !this.#isBlockRead) this.#armPartialTimer(PARTIAL_LINE_QUIET_MS);
  }

  #armPartialTimer(delayMs: number): void {
    this.#partialTimer = setTimeout(this.#onPartialTimer, delayMs);
    // the daemon's life does not hang on it (nor an in-process supervisor's)
    this.#partialTimer.unref();
  }

  #clearPartialTimer(): void {
    if (this.#partialTimer === undefined) return;
    clearTimeout(this.#partialTimer);
    this.#partialTimer = undefined;
  }

  /**
   * The timer of a waiting partial line: not due yet (bytes came since, it began later, the reads are
   * held) arms it again; due, the cut waits for the end of this turn of the event loop, so that what the
   * pipe received meanwhile (a daemon busy past the quiet time) is read first.
   */
  readonly #onPartialTimer = (): void => {
    this.#partialTimer = undefined;
    // a block-buffered writer's line: the next read (which arms the timer again) may end it
    if (this.#finished || this.#splitter.pendingBytes === 0 || this.#isBlockRead) return;
    const now = Date.now();
    const due = this.#pacer.isHeld
      ? now + PARTIAL_LINE_QUIET_MS
      : Math.min(this.#ts + PARTIAL_LINE_QUIET_MS, this.#partialSince + PARTIAL_LINE_MAX_WAIT_MS);
    if (due > now) {
      this.#armPartialTimer(due - now);
      return;
    }
    const readAt = this.#ts;
    const partial = this.#partialSeen;
    setImmediate(() => this.#cutPartial(readAt, partial));
  };

  /** Writes the waiting partial line as a line, unless a read came since `readAt` (then it is looked at again). */
  #cutPartial(readAt: number, partial: number): void {
    if (
      this.#finished ||
      this.#partialTimer !== undefined ||
      this.#splitter.pendingBytes === 0 ||
      this.#isBlockRead
    )
      return;
    if (this.#ts !== readAt || this.#splitter.partialsStarted !== partial || this.#pacer.isHeld) {
      this.#armPartialTimer(PARTIAL_LINE_QUIET_MS);
      return;
    }
    // its time is that of the cut (a time index and the order of the streams never go back)
    this.#ts = Date.now();
    this.#splitter.cutPartial();
    // the start of a character whose rest has not come yet waits as a partial line of its own
    if (this.#splitter.pendingBytes > 0) this.#notePartial(false);
  }

  #hold(): void {
    this.#pacer.hold();
    if (this.#waitingForDrain) return;
    this.#waitingForDrain = true;
    this.#writer.onDrain(() => {
      this.#waitingForDrain = false;
      if (!this.#finished) this.#pacer.release();
    });
  }

  /** Node resumes a child's pipes when the child exits; keep ours paused until the writer drains. */
  readonly #onResume = (): void => {
    if (this.#waitingForDrain && !this.#finished && !this.#pacer.isPaced) this.#stream.pause();
  };

  readonly #finish = (): void => {
    if (this.#finished) return;
    this.#finished = true;
    this.#pacer.close();
    this.#stream.off('data', this.#onData);
    this.#stream.off('resume', this.#onResume);
    this.#clearPartialTimer();
    this.#ts = Date.now();
    this.#splitter.end();
    this.#resolveDone();
  };
}
