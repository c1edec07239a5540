/** Lines the live engines of all apps together classify per second; beyond, each app's lines are sampled. */
export const LIVE_SAMPLE_LINES_PER_SECOND = 1000;
/** The least an app that logs may classify per second, however many apps log at once. */
export const LIVE_MIN_SHARE_PER_SECOND = 50;
/** How often the level is worked out again within a second (also whenever a new app starts logging). */
const RECOMPUTE_MS = 100;

/**
 * The classification budget the live engines of all apps share, so that ten chatty apps cost the
 * daemon what one costs. Every app may classify up to the same level per second: the level at which
 * the apps' demands, each capped at it, add up to the budget (max-min fairness: an app that logs less
 * than the level leaves the rest to the others). An app's demand is the larger of its line counts in
 * the second before and in this one. No app gets less than LIVE_MIN_SHARE_PER_SECOND, and an app that
 * starts logging is counted at once, so none is starved. The lines classified in a second are counted
 * too (`grant`): apps that start together each see the whole budget before their demands add up, and
 * without that count they took several times the budget in their first second (issue 17).
 */
export class LiveBudget {
  readonly #linesPerSecond: number;
  readonly #minShare: number;
  #second = Number.NaN;
  /** Lines of each app (the engine's key) in the current second, and in the one before. */
  #current = new Map<object, number>();
  #previous = new Map<object, number>();
  #level: number;
  #computedAt = Number.NEGATIVE_INFINITY;
  /** Lines all apps together classified in the current second. */
  #spent = 0;

  constructor(linesPerSecond = LIVE_SAMPLE_LINES_PER_SECOND, minShare = LIVE_MIN_SHARE_PER_SECOND) {
    this.#linesPerSecond = Math.max(1, linesPerSecond);
    this.#minShare = Math.min(this.#linesPerSecond, Math.max(1, minShare));
    this.#level = this.#linesPerSecond;
  }

  /** Counts `lines` of `app` read at `ts` (epoch ms) and returns the lines per second `app` may classify now. */
  take(app: object, lines: number, ts: number): number {
    const second = Math.floor(ts / 1000);
    let isStale = ts - this.#computedAt >= RECOMPUTE_MS;
    if (second > this.#second || Number.isNaN(this.#second)) {
      this.#previous = second === this.#second + 1 ? this.#current : new Map();
      this.#current = new Map();
      this.#second = second;
      this.#spent = 0;
      isStale = true;
    }
    const before = this.#current.get(app);
    if (before === undefined && !this.#previous.has(app)) isStale = true;
    this.#current.set(app, (before ?? 0) + lines);
    if (isStale) {
      this.#computedAt = ts;
      this.#level = Math.max(this.#minShare, waterLevel(this.#demands(), this.#linesPerSecond));
    }
    return this.#level;
  }

  /**
   * How many of `want` lines an app may classify now (after `take` for the same batch), counted as
   * classified: what is left of this second's budget, and at least what brings the app's own lines
   * classified this second (`classified`) up to the minimum share.
   */
  grant(want: number, classified: number): number {
    const left = this.#linesPerSecond - this.#spent;
    const reserved = this.#minShare - classified;
    const granted = Math.max(0, Math.min(want, Math.max(left, reserved)));
    this.#spent += granted;
    return granted;
  }

  /** Forgets an app (deleted). */
  forget(app: object): void {
    this.#current.delete(app);
    this.#previous.delete(app);
  }

  #demands(): number[] {
    const demands: number[] = [];
    for (const [app, lines] of this.#current) demands.push(Math.max(lines, this.#previous.get(app) ?? 0));
    for (const [app, lines] of this.#previous) if (!this.#current.has(app)) demands.push(lines);
    return demands;
  }
}

/** The level L at which the demands, each capped at L, add up to `budget` (`budget` when they add up to less). */
export function waterLevel(demands: number[], budget: number): number {
  demands.sort((a, b) => a - b);
  let left = budget;
  for (let i = 0; i < demands.length; i += 1) {
    const fair = left / (demands.length - i);
    if (demands[i]! >= fair) return fair;
    left -= demands[i]!;
  }
  return budget;
}
