/** The values of one history point; NaN is a gap (the process was not running, or nothing was measured). */
export interface HistoryValues {
  cpu: number;
  memory: number;
  restarts: number;
  logRate: number;
}

/** The columns a ring keeps, in the order a history file stores them. */
export const HISTORY_COLUMNS = ['cpu', 'memory', 'restarts', 'logRate'] as const;

/**
 * OBS-7: a ring of history points in Float32 columns (plus Float64 epoch ms when `hasTimes`), empty
 * until the first point and grown by `chunkPoints` up to `capacity`, after which the oldest point goes.
 */
export class HistoryRing {
  /** Points held, at most `capacity`. */
  count = 0;
  #start = 0;
  #size = 0;
  #times: Float64Array | null = null;
  #columns: Float32Array[] = [];

  constructor(
    readonly capacity: number,
    private readonly chunkPoints: number,
    private readonly hasTimes: boolean,
  ) {}

  /** Appends one point (the oldest one goes when the ring is full). */
  push(values: HistoryValues, at = 0): void {
    if (this.count === this.#size && this.#size < this.capacity) this.#grow();
    const slot = (this.#start + this.count) % this.#size;
    if (this.count === this.#size) this.#start = (this.#start + 1) % this.#size;
    else this.count += 1;
    if (this.#times) this.#times[slot] = at;
    this.#columns[0]![slot] = values.cpu;
    this.#columns[1]![slot] = values.memory;
    this.#columns[2]![slot] = values.restarts;
    this.#columns[3]![slot] = values.logRate;
  }

  /** Epoch ms of the point `index` (0 = oldest); 0 for a ring without times. */
  timeAt(index: number): number {
    return this.#times ? this.#times[this.#slot(index)]! : 0;
  }

  /** Value of column `column` (an index into `HISTORY_COLUMNS`) at the point `index` (0 = oldest). */
  valueAt(column: number, index: number): number {
    return this.#columns[column]![this.#slot(index)]!;
  }

  /** Drops every point and frees the arrays. */
  clear(): void {
    this.count = 0;
    this.#start = 0;
    this.#size = 0;
    this.#times = null;
    this.#columns = [];
  }

  /** Bytes the arrays hold (allocated, not only used). */
  byteLength(): number {
    return this.#size * this.#pointBytes();
  }

  /** The arrays' used parts, oldest first, as byte views (two per array when the ring has wrapped). */
  *byteParts(): Generator<Uint8Array> {
    const arrays: (Float64Array | Float32Array)[] = this.#times ? [this.#times] : [];
    arrays.push(...this.#columns);
    for (const array of arrays) {
      const bytes = array.BYTES_PER_ELEMENT;
      const head = Math.min(this.count, this.#size - this.#start);
      yield new Uint8Array(array.buffer, this.#start * bytes, head * bytes);
      if (head < this.count) yield new Uint8Array(array.buffer, 0, (this.count - head) * bytes);
    }
  }

  /** Refills the ring with `count` points laid out as `byteParts` writes them (the newest kept); returns the bytes read. */
  readBytes(bytes: Uint8Array, count: number): number {
    this.clear();
    const kept = Math.min(count, this.capacity);
    const skipped = count - kept;
    if (kept === 0) return count * this.#pointBytes();
    this.#size = kept;
    this.#times = this.hasTimes ? new Float64Array(kept) : null;
    this.#columns = HISTORY_COLUMNS.map(() => new Float32Array(kept));
    let offset = 0;
    const arrays: (Float64Array | Float32Array)[] = this.#times ? [this.#times] : [];
    arrays.push(...this.#columns);
    for (const array of arrays) {
      const width = array.BYTES_PER_ELEMENT;
      const from = offset + skipped * width;
      new Uint8Array(array.buffer).set(bytes.subarray(from, from + kept * width));
      offset += count * width;
    }
    this.count = kept;
    return offset;
  }

  #pointBytes(): number {
    return (this.hasTimes ? 8 : 0) + 4 * HISTORY_COLUMNS.length;
  }

  #slot(index: number): number {
    return (this.#start + index) % this.#size;
  }

  // Only grows before the ring has wrapped (count === size < capacity), so points stay in order from 0.
  #grow(): void {
    const size = Math.min(this.capacity, this.#size + this.chunkPoints);
    if (this.#times) {
      const times = new Float64Array(size);
      times.set(this.#times);
      this.#times = times;
    } else if (this.hasTimes) {
      this.#times = new Float64Array(size);
    }
    this.#columns = HISTORY_COLUMNS.map((_, i) => {
      const column = new Float32Array(size);
      if (this.#columns[i]) column.set(this.#columns[i]);
      return column;
    });
    this.#size = size;
  }
}
