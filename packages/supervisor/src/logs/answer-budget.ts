/** The most bytes of lines one `logs` answer holds (see `logLineBytes`); older lines are left out with a notice. */
export const MAX_LOG_ANSWER_BYTES = 4 * 1024 * 1024;
/** The most bytes of `logs` answers the daemon builds at once; further requests wait their turn. */
export const MAX_LOG_ANSWERS_BYTES = 16 * 1024 * 1024;

/**
 * Bytes shared by the answers being built: `acquire` resolves once `bytes` are free (first come,
 * first served), with the function that gives them back. A request for more than the whole budget
 * waits until nothing else holds any, then runs alone.
 */
export class AnswerBudget {
  readonly #totalBytes: number;
  #usedBytes = 0;
  #waiting: { bytes: number; grant: () => void }[] = [];

  constructor(totalBytes: number) {
    this.#totalBytes = totalBytes;
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
      this.#waiting.shift();
      this.#usedBytes += next.bytes;
      next.grant();
    }
  }
}
