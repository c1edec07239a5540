import { ErrorCodes, VelosError } from '@velos/core';
import { gzipFile, pruneRotated } from './log-rotation.js';

/** What a housekeeper does with the rotated files of one log file. */
export interface HousekeeperOptions {
  /** The log file whose rotated siblings are kept. */
  path: string;
  retain: number;
  compress: boolean;
  onCompressed?: (from: string, to: string) => void;
  /** Told the files a prune deleted (plain or gzipped), when there were any. */
  onPruned?: (deleted: string[]) => void;
  onError?: (error: VelosError) => void;
}

/**
 * Gzips and prunes the rotated files of one log file in the background, one file at a time, so
 * that rotation never waits for it: prune beyond the newest `retain`, gzip the oldest queued file,
 * repeat until nothing is left. At most `retain` files wait for compression (older ones are pruned).
 */
export class RotationHousekeeper {
  #options: HousekeeperOptions;
  #queue: string[] = [];
  #isRunning = false;
  #done: Promise<void> = Promise.resolve();

  constructor(options: HousekeeperOptions) {
    this.#options = options;
  }

  /** Takes care of a file that was just rotated. */
  add(rotated: string): void {
    const { retain, compress } = this.#options;
    if (compress && retain > 0) {
      this.#queue.push(rotated);
      if (this.#queue.length > retain) this.#queue.splice(0, this.#queue.length - retain);
    }
    if (this.#isRunning) return;
    this.#isRunning = true;
    this.#done = this.#run();
  }

  /** CFG-2: new retention and compression for the files rotated from now on; a lower retention prunes at once. */
  setPolicy(policy: Pick<HousekeeperOptions, 'retain' | 'compress'>): void {
    const isLower = policy.retain < this.#options.retain;
    this.#options = { ...this.#options, ...policy };
    if (!policy.compress) this.#queue = [];
    if (!isLower || this.#isRunning) return;
    this.#isRunning = true;
    this.#done = this.#run();
  }

  /** Resolves once the work under way is done. */
  idle(): Promise<void> {
    return this.#done;
  }

  async #run(): Promise<void> {
    const { path, retain, onCompressed, onPruned, onError } = this.#options;
    for (;;) {
      try {
        const deleted = await pruneRotated(path, retain);
        if (deleted.length > 0) onPruned?.(deleted);
        const next = this.#queue.shift();
        if (next === undefined) {
          this.#isRunning = false;
          return;
        }
        onCompressed?.(next, await gzipFile(next));
      } catch (error) {
        // a queued file pruned before its turn
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        this.#isRunning = false;
        const reason = error instanceof Error ? error.message : String(error);
        onError?.(
          new VelosError(
            ErrorCodes.IO_ERROR,
            `compressing or pruning rotated logs of ${path} failed: ${reason}`,
            {
              cause: error,
            },
          ),
        );
        return;
      }
    }
  }
}
