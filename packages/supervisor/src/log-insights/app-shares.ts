import type { LogAppSummaryInfo, LogErroredInfo, LogLevelName, LogPatternInfo } from '@velos/core';
import { type ErroredShare, healthScore, type Level } from '@velos/log-engine';

/** Whether all the processes `errored` counts are errored, or some. */
export function shareOf(errored: LogErroredInfo): ErroredShare {
  return errored.count >= errored.of ? 'all' : 'some';
}

/** Template ids counted before their counts are folded into the live ids (bounds the map). */
const FOLD_AT_IDS = 4000;

/**
 * Which app the lines of an analysis over several apps came from (LOG-4): each app's events by level
 * and continuation lines, and each template's lines per app, so that a summary can break its merged
 * stream down by app and a pattern can say which apps it comes from. `resolve` is the engine's
 * `miner.resolve`: a template merged into another counts for it.
 */
export class AppShares {
  readonly #names: readonly string[];
  readonly #resolve: (id: number) => number | undefined;
  readonly #levels: Record<Level, number>[];
  readonly #continued: number[];
  /** Lines per app (by index in `names`) of each template id the engine gave. */
  #byTemplate = new Map<number, number[]>();

  constructor(names: readonly string[], resolve: (id: number) => number | undefined) {
    this.#names = names;
    this.#resolve = resolve;
    this.#levels = names.map(() => ({ fatal: 0, error: 0, warn: 0, info: 0, debug: 0 }));
    this.#continued = names.map(() => 0);
  }

  /** Counts `weight` lines of app `app` at `level` (a continuation line is in no level). */
  countLine(app: number, level: Level, isContinuation: boolean, weight: number): void {
    if (isContinuation) this.#continued[app]! += weight;
    else this.#levels[app]![level] += weight;
  }

  /** Counts `weight` lines of app `app` that the engine mined as template `id` (-1: none). */
  countTemplate(app: number, id: number, weight: number): void {
    if (id < 0) return;
    let counts = this.#byTemplate.get(id);
    if (counts === undefined) {
      if (this.#byTemplate.size >= FOLD_AT_IDS) this.#fold();
      counts = this.#names.map(() => 0);
      this.#byTemplate.set(id, counts);
    }
    counts[app]! += weight;
  }

  /** The apps whose lines template `id` holds, the one with the most first. */
  appsOf(id: number): string[] {
    this.#fold();
    const counts = this.#byTemplate.get(id);
    if (counts === undefined) return [];
    return counts
      .map((count, app) => ({ count, name: this.#names[app]! }))
      .filter((share) => share.count > 0)
      .sort((a, b) => b.count - a.count)
      .map((share) => share.name);
  }

  /**
   * Each app's lines, events and health over its own lines: its error rate, warning rate, fatal
   * events, and the rising error patterns among `patterns` (all of them, not the top only) it has
   * lines in, its crashes (`crashes`, by app, when known) and its errored processes (`errored`, by app:
   * 0 when all are, at most 50 when some are); the merged stream's anomalies are not any one app's.
   */
  breakdown(
    patterns: readonly Pick<LogPatternInfo, 'id' | 'level' | 'trend'>[],
    crashes: readonly number[] = [],
    errored: readonly (LogErroredInfo | undefined)[] = [],
  ): LogAppSummaryInfo[] {
    const rising = patterns.filter(
      (p) => (p.level === 'error' || p.level === 'fatal') && p.trend === 'rising',
    );
    const risingApps = new Set(rising.flatMap((p) => this.appsOf(p.id)));
    return this.#names.map((name, app) => {
      const levels = this.#levels[app]!;
      const counted: Partial<Record<LogLevelName, number>> = {};
      let lines = this.#continued[app]!;
      for (const [level, count] of Object.entries(levels)) {
        lines += count;
        if (count > 0) counted[level as LogLevelName] = count;
      }
      const health = healthScore({
        levels,
        criticalAnomalies: 0,
        warningAnomalies: 0,
        hasRisingErrors: risingApps.has(name),
        crashes: crashes[app] ?? 0,
        ...(errored[app] === undefined ? {} : { errored: shareOf(errored[app]) }),
      });
      return { name, lines, levels: counted, health, ...(errored[app] ? { errored: errored[app] } : {}) };
    });
  }

  /** Adds the counts of ids merged away into their live ids, and drops the ids the engine dropped. */
  #fold(): void {
    const folded = new Map<number, number[]>();
    for (const [id, counts] of this.#byTemplate) {
      const live = this.#resolve(id);
      if (live === undefined) continue;
      const into = folded.get(live);
      if (into === undefined) folded.set(live, counts);
      else for (let app = 0; app < counts.length; app += 1) into[app]! += counts[app]!;
    }
    this.#byTemplate = folded;
  }
}
