import type { Readable } from 'node:stream';
import type { FileWriter } from './file-writer.js';
import type { LineBatch, LogStream } from './line-batch.js';
import { LineSplitter } from './line-splitter.js';
import { ReadPacer } from './read-pacer.js';
import { readIntoSharedBuffer } from './shared-read-buffer.js';

/**
 * One attached pipe of one run: splits it into line batches, reads it in large batches (see
 * `ReadPacer`) and stops reading while its file writer is full, so that the child blocks in write()
 * instead of the daemon buffering without bound. A socket is read into the daemon's one shared read
 * buffer (see `readIntoSharedBuffer`): the batches passed to `accept` are then views of it, valid only
 * during the call.
 */
export class PipeCapture {
  readonly done: Promise<void>;
  readonly #stream: Readable;
  readonly which: LogStream;
  #writer: FileWriter;
  readonly #splitter: LineSplitter;
  readonly #pacer: ReadPacer;
  #ts = 0;
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
    if (this.#writer.isFull) this.#hold();
    else this.#pacer.onChunk(data.length);
  };

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
    this.#ts = Date.now();
    this.#splitter.end();
    this.#resolveDone();
  };
}
