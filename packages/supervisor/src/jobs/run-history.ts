import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRun } from '@velos/core';

/** Directory of the run history files inside the Velos home. */
export const JOBS_DIR = 'jobs';

/**
 * The runs of one job, oldest first, at most `keep` of them, mirrored in `jobs/<name>.jsonl` (a 0600
 * file in a 0700 directory): a run is appended as one JSON line when it starts (`running`) and again
 * when it ends, the later line of a seq wins, and the file is rewritten with the newest `keep` runs
 * once it holds twice as many lines. A run whose last line still says `running` when the file is
 * loaded was cut short by a daemon that died: it loads as `interrupted`, and its seq stays taken.
 * A run that fell due and did not start is an entry too (`skipped`, with its reason, its own seq); due
 * times skipped in a row for the same reason are one entry counting them (`skips`), so a flood of
 * skips (an interval of seconds beside an hour-long run) takes one place in the history, not all.
 */
export class RunHistory {
  readonly path: string;
  /** The ended runs and the skipped ones, in the order recorded (the run in progress is not among them). */
  readonly runs: JobRun[];
  #keep: number;
  /** The highest seq given so far: a run that ends after a skip recorded during it is not the newest seq. */
  #topSeq: number;
  #fileLines: number;
  /** The run recorded as started and not ended yet. */
  #pending: JobRun | null = null;

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
    // a torn last line (a crash mid-append) would swallow the next append: rewrite on the next write
    this.#fileLines = loaded.isTorn ? Number.POSITIVE_INFINITY : loaded.lines;
    this.runs = loaded.runs.slice(-keep);
    this.#topSeq = loaded.runs.at(-1)?.seq ?? 0;
  }

  /** The number the next run (or skipped run) gets: one more than any given so far. */
  nextSeq(): number {
    return Math.max(this.#topSeq, this.#pending?.seq ?? 0) + 1;
  }

  /** The latest run that started (a run in progress is not in `runs`): skipped entries are passed over. */
  latestRun(): JobRun | null {
    return this.runs.findLast((run) => run.outcome !== 'skipped') ?? null;
  }

  /**
   * Records that a run due at `at` by `trigger` did not start, for `reason`: the latest entry grows by
   * one skip when it is a skip of the same reason and trigger with no run started since, else a new
   * entry (seq of its own) is added. Returns the entry.
   */
  skip(at: number, trigger: JobRun['trigger'], reason: string): JobRun {
    const last = this.runs.at(-1);
    const isStreak =
      last?.outcome === 'skipped' &&
      last.reason === reason &&
      last.trigger === trigger &&
      last.seq > (this.#pending?.seq ?? 0);
    if (isStreak) {
      const grown: JobRun = { ...last, endedAt: at, skips: (last.skips ?? 1) + 1 };
      this.runs[this.runs.length - 1] = grown;
      this.#write(grown);
      return grown;
    }
    const entry: JobRun = {
      seq: this.nextSeq(),
      pid: null,
      startedAt: at,
      endedAt: at,
      exitCode: null,
      signal: null,
      outcome: 'skipped',
      trigger,
      reason,
      skips: 1,
    };
    this.add(entry);
    return entry;
  }

  /** Changes how many runs are kept (a spec change); the file follows on the next write. */
  setKeep(keep: number): void {
    this.#keep = keep;
    if (this.runs.length > keep) this.runs.splice(0, this.runs.length - keep);
  }

  /** Records on disk that `run` (outcome `running`) started or changed (its pid once spawned). */
  begin(run: JobRun): void {
    this.#pending = run;
    this.#topSeq = Math.max(this.#topSeq, run.seq);
    this.#write(run);
  }

  /**
   * SUP-13: makes the run of `pid` that loaded as `interrupted` (its daemon died) the run in progress
   * again, as a daemon that took it over sees it; null when the history has no such run.
   */
  resume(pid: number): JobRun | null {
    const index = this.runs.findLastIndex((run) => run.pid === pid && run.outcome === 'interrupted');
    if (index === -1) return null;
    const [run] = this.runs.splice(index, 1);
    this.#pending = { ...run!, outcome: 'running' };
    return this.#pending;
  }

  /** Records an ended run in memory and on disk. */
  add(run: JobRun): void {
    if (this.#pending?.seq === run.seq) this.#pending = null;
    this.#topSeq = Math.max(this.#topSeq, run.seq);
    this.runs.push(run);
    if (this.runs.length > this.#keep) this.runs.splice(0, this.runs.length - this.#keep);
    this.#write(run);
  }

  /** Deletes the history file (the job was deleted); one it cannot delete is told to `onError`. */
  remove(): void {
    this.#fileLines = 0;
    this.#pending = null;
    try {
      rmSync(this.path, { force: true });
    } catch (error) {
      // the job goes all the same: a file left behind (EACCES, a directory there) failed `velos delete` for good
      this.onError(`cannot remove the run history ${this.path}: ${(error as Error).message}`);
    }
  }

  #write(run: JobRun): void {
    try {
      mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
      if (this.#fileLines + 1 > this.#keep * 2) {
        const all = this.#pending ? [...this.runs, this.#pending] : this.runs;
        const tmp = `${this.path}.tmp`;
        writeFileSync(tmp, all.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
        renameSync(tmp, this.path);
        this.#fileLines = all.length;
      } else {
        appendFileSync(this.path, `${JSON.stringify(run)}\n`, { mode: 0o600 });
        this.#fileLines += 1;
      }
    } catch (error) {
      this.onError(`cannot write the run history ${this.path}: ${(error as Error).message}`);
    }
  }
}

/** The runs of a history file by seq (the later line of a seq wins), its line count, and whether it ends mid-line. */
function readRuns(
  path: string,
  onError: (message: string) => void,
): { runs: JobRun[]; lines: number; isTorn: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      onError(`cannot read the run history ${path}: ${(error as Error).message}`);
    return { runs: [], lines: 0, isTorn: false };
  }
  const bySeq = new Map<number, JobRun>();
  let lines = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    lines += 1;
    try {
      const run = JSON.parse(line) as JobRun;
      if (typeof run.seq === 'number' && typeof run.startedAt === 'number') {
        bySeq.delete(run.seq);
        bySeq.set(run.seq, run);
      }
    } catch {
      // a line torn by a crash mid-append: the runs around it are still good
    }
  }
  const runs = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  for (const [index, run] of runs.entries()) {
    if (run.outcome === 'running') runs[index] = { ...run, outcome: 'interrupted' };
  }
  return { runs, lines, isTorn: text.length > 0 && !text.endsWith('\n') };
}
