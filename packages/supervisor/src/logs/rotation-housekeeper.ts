import { ErrorCodes, VelosError } from '@velos/core';
import { gzipFile, pruneRotated } from './log-rotation.js';

/** What a housekeeper does with the rotated files of one log file. */
export interface HousekeeperOptions {
  /** The log file whose rotated siblings are kept. */
  path: string;
  /** The Velos home's logs directory: a file kept elsewhere has its time indexes there (see `timeIndexPath`). */
  homeLogsDir?: string;
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
 * A file rotated while a prune runs (after it listed the directory) gets a prune of its own before
 * the run ends: without compression nothing else brought the run back to it, so a flood's last
 * rotations stayed beyond `log_retain` (5 files kept of 2, 1 of 0) until the next rotation.
 */
export class RotationHousekeeper {
  #options: HousekeeperOptions;
  #queue: string[] = [];
  #isRunning = false;
  /** A file was rotated (or the retention lowered) since the run's last prune listed the directory. */
  #isPruneDue = false;
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
    this.#isPruneDue = true;
    if (this.#isRunning) return;
    this.#isRunning = true;
    this.#done = this.#run();
  }

  /** CFG-2: new retention and compression for the files rotated from now on; a lower retention prunes at once. */
  setPolicy(policy: Pick<HousekeeperOptions, 'retain' | 'compress'>): void {
    const isLower = policy.retain < this.#options.retain;
    this.#options = { ...this.#options, ...policy };
    if (!policy.compress) this.#queue = [];
    if (!isLower) return;
    this.#isPruneDue = true;
    if (this.#isRunning) return;
    this.#isRunning = true;
    this.#done = this.#run();
  }

  /** Resolves once the work under way is done. */
  idle(): Promise<void> {
    return this.#done;
  }

  async #run(): Promise<void> {
    const { path, homeLogsDir, onError } = this.#options;
    for (;;) {
      try {
        // the policy of now: a setPolicy during the run applies to its next prune
        const { retain, onCompressed, onPruned } = this.#options;
        this.#isPruneDue = false;
        const deleted = await pruneRotated(path, retain, homeLogsDir);
        if (deleted.length > 0) onPruned?.(deleted);
        const next = this.#queue.shift();
        if (next === undefined) {
          if (this.#isPruneDue) continue;
          this.#isRunning = false;
          return;
        }
        // compressed whether or not someone listens (`onCompressed?.(…, await gzipFile())` skipped it)
        const compressed = await gzipFile(next);
        onCompressed?.(next, compressed);
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
