import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRun } from '@velos/core';

/** Directory of the run history files inside the Velos home. */
export const JOBS_DIR = 'jobs';

/**
 * The finished runs of one job, oldest first, at most `keep` of them, mirrored in
 * `jobs/<name>.jsonl` (a 0600 file in a 0700 directory): each run is appended as one JSON line,
 * and the file is rewritten with the newest `keep` runs once it holds twice as many.
 */
export class RunHistory {
  readonly path: string;
  readonly runs: JobRun[];
  #keep: number;
  #fileLines: number;

  /** Loads the history of `name` from `home` (an unreadable line is skipped, a missing file is empty). */
  constructor(
    home: string,
    name: string,
    keep: number,
    private readonly onError: (message: string) => void,
  ) {
    this.path = join(home, JOBS_DIR, `${name}.jsonl`);
    this.#keep = keep;
    const loaded = readRuns(this.path, onError);
    this.#fileLines = loaded.length;
    this.runs = loaded.slice(-keep);
  }

  /** The number the next run gets: one more than the latest run's. */
  nextSeq(): number {
    return (this.runs.at(-1)?.seq ?? 0) + 1;
  }

  /** Changes how many runs are kept (a spec change); the file follows on the next add. */
  setKeep(keep: number): void {
    this.#keep = keep;
    if (this.runs.length > keep) this.runs.splice(0, this.runs.length - keep);
  }

  /** Records a finished run in memory and on disk. */
  add(run: JobRun): void {
    this.runs.push(run);
    if (this.runs.length > this.#keep) this.runs.splice(0, this.runs.length - this.#keep);
    try {
      mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
      if (this.#fileLines + 1 > this.#keep * 2) {
        const tmp = `${this.path}.tmp`;
        writeFileSync(tmp, this.runs.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
        renameSync(tmp, this.path);
        this.#fileLines = this.runs.length;
      } else {
        appendFileSync(this.path, `${JSON.stringify(run)}\n`, { mode: 0o600 });
        this.#fileLines += 1;
      }
    } catch (error) {
      this.onError(`cannot write the run history ${this.path}: ${(error as Error).message}`);
    }
  }

  /** Deletes the history file (the job was deleted). */
  remove(): void {
    rmSync(this.path, { force: true });
    this.#fileLines = 0;
  }
}

function readRuns(path: string, onError: (message: string) => void): JobRun[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      onError(`cannot read the run history ${path}: ${(error as Error).message}`);
    return [];
  }
  const runs: JobRun[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const run = JSON.parse(line) as JobRun;
      if (typeof run.seq === 'number' && typeof run.startedAt === 'number') runs.push(run);
    } catch {
      // a line torn by a crash mid-append: the runs around it are still good
    }
  }
  return runs;
}
