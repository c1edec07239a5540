/** The most bytes of lines one `logs` answer holds (see `logLineBytes`); older lines are left out with a notice. */
export const MAX_LOG_ANSWER_BYTES = 4 * 1024 * 1024;
/** The most bytes of `logs` answers the daemon builds at once; further requests wait their turn. */
export const MAX_LOG_ANSWERS_BYTES = 16 * 1024 * 1024;

/** How often a waiting request looks again whether the answers already sent have been read. */
const BACKLOG_RETRY_MS = 20;
/**
 * While the backlog stays full, one answer goes ahead this often, so that clients which read their
 * answers are not held up for long by one that does not.
 */
const BACKLOG_TRICKLE_MS = 250;

/** What keeps answers waiting besides the bytes being built: answers sent but not yet read by their clients. */
export interface AnswerBacklog {
  /** True while too many bytes of answers already handed over are still held (unread by clients). */
  isFull(): boolean;
}

/**
 * Bytes shared by the answers being built: `acquire` resolves once `bytes` are free (first come,
 * first served) and, with a `backlog`, once the answers already sent have been read (while it stays
 * full, one answer every 250 ms), with the function that gives the bytes back. A request for more than the whole
 * budget waits until nothing else holds any, then runs alone.
 */
export class AnswerBudget {
  readonly #totalBytes: number;
  #backlog: AnswerBacklog | undefined;
  #usedBytes = 0;
  #waiting: { bytes: number; grant: () => void }[] = [];
  #retry: NodeJS.Timeout | null = null;
  #lastGrantMs = 0;

  constructor(totalBytes: number, backlog?: AnswerBacklog) {
    this.#totalBytes = totalBytes;
    this.#backlog = backlog;
  }

  /** From now on, answers also wait while `backlog` is full. */
  useBacklog(backlog: AnswerBacklog): void {
    this.#backlog = backlog;
  }

  /** Bytes held by answers now. */
  get usedBytes(): number {
    return this.#usedBytes;
  }

  /** Requests waiting for bytes now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  acquire(bytes: number): Promise<() => void> {
    return new Promise((resolve) => {
      this.#waiting.push({ bytes, grant: () => resolve(this.#releaser(bytes)) });
      this.#grant();
    });
  }

  #releaser(bytes: number): () => void {
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#usedBytes -= bytes;
      this.#grant();
    };
  }

  #grant(): void {
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0]!;
      if (this.#usedBytes > 0 && this.#usedBytes + next.bytes > this.#totalBytes) return;
      if (Date.now() - this.#lastGrantMs < BACKLOG_TRICKLE_MS && this.#backlog?.isFull()) {
        this.#retry ??= setTimeout(() => {
          this.#retry = null;
          this.#grant();
        }, BACKLOG_RETRY_MS);
        return;
      }
      this.#waiting.shift();
      this.#lastGrantMs = Date.now();
      this.#usedBytes += next.bytes;
      next.grant();
    }
  }
}
