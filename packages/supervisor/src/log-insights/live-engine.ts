import { type EventInput, isoTime, type LogRuleSpec } from '@velos/core';
import { type LineBatch, lineStrings } from '../logs/line-batch.js';
import { ERROR_BURST_WINDOW_MS, ErrorHistory, type RateAnomaly } from './error-history.js';
import { ErrorInspector } from './error-inspector.js';
import { LiveBudget } from './live-budget.js';

export {
  burstThreshold,
  ERROR_BURST_FACTOR,
  ERROR_BURST_MIN_ERRORS,
  ERROR_BURST_MIN_EXCESS,
  ERROR_BURST_MIN_HISTORY_MS,
  ERROR_BURST_STEADY_FACTOR,
  ERROR_BURST_WINDOW_MS,
} from './error-history.js';
export { LIVE_MAX_TEMPLATES } from './error-inspector.js';
export { LiveBudget } from './live-budget.js';
/** One event of each kind (error-rate anomaly, new error template, error burst) per app in this time at most. */
export const LIVE_EVENT_INTERVAL_MS = 60_000;
/** New error templates are not announced during an app's first minute of lines: everything is new then. */
export const NEW_TEMPLATE_LEARNING_MS = 60_000;

type Kind = 'rate' | 'template' | 'burst';

/**
 * The live log engine of one app: exact per-minute line counts, error counts from the classifier
 * (every line while the app is within its share of the budget all apps share, see `LiveBudget`; a
 * spread sample beyond, and the events then say how many lines were classified), the template miner on
 * error lines only,
 * and events: `log.anomaly` for an error-rate minute above mean + 2σ (warning) or 3σ (critical) of
 * the last hour (ENG-5) or a new error template, `log.error_burst` for 50+ errors in 10 s well over the
 * usual rate (5× a low one, 3× a high one: see `burstThreshold`), once per burst: errors over that
 * threshold less than 10 s after the last look that found them over it are the same burst (a jump to a
 * new steady rate raises one event, not one a minute until the usual rate catches up); each kind at most
 * once a minute per app. The usual rate is the errors per 10 s of the app's
 * history before those 10 s (from its first line here, at most the last hour), and there is no burst
 * until that history is 10 s long (in the app's first 19–20 s): an app that logs many errors from its
 * start raises none, a flood later after quieter lines raises one at once. The history lives as long
 * as the engine: it spans the app's restarts, not a daemon restart or the app's deletion; the time the
 * app did not run (told by `setRunning`: stopped, waiting to restart) is left out of the usual rate and
 * of the 10 s window, and the usual rate is per running process (an app of several instances expects
 * fewer errors while some are down, more once they are back or it was scaled up). Its memory is fixed: rings of 60 minutes and 10 seconds, at most 200 templates.
 */
export function createLiveEngine(
  app: string,
  publish: (event: EventInput) => void,
  linesBefore = 0,
  budget = new LiveBudget(),
) {
  const history = new ErrorHistory();
  const inspector = new ErrorInspector();
  /** This engine's key in the shared budget. */
  const token = {};
  let firstTs = Number.NaN;
  /** Lines per second this app may classify now (its share of the budget). */
  let share = 0;
  /** This minute's lines in batches that were (partly) classified, and their (estimated) error lines. */
  let representedLines = 0;
  let representedErrors = 0;
  let pendingLines = linesBefore;
  const lastEventAt: Record<Kind, number> = { rate: 0, template: 0, burst: 0 };
  /** When a look last found the errors of the last 10 s over the burst threshold. */
  let burstSeenAt = Number.NEGATIVE_INFINITY;

  const emit = (kind: Kind, now: number, event: EventInput): void => {
    if (now - lastEventAt[kind] < LIVE_EVENT_INTERVAL_MS) return;
    lastEventAt[kind] = now;
    publish(event);
  };

  /** Starts the next minute's counts after a minute closed (`closed` not undefined), reporting its verdict. */
  const closeMinutes = (closed: RateAnomaly | null | undefined, ts: number): void => {
    if (closed === undefined) return;
    representedLines = 0;
    representedErrors = 0;
    if (closed !== null) reportRate(closed, ts);
  };

  const advance = (ts: number): void => closeMinutes(history.advance(ts), ts);

  const reportRate = (anomaly: RateAnomaly, now: number): void => {
    const { severity, rate, baseline, z, errors, lines, classified } = anomaly;
    emit('rate', now, {
      kind: 'log.anomaly',
      severity,
      app,
      message: `${app}: error rate ${percent(rate)} in the minute of ${isoTime(anomaly.minute * 60_000)}, usually ${percent(baseline)} (${severity})`,
      fields: {
        metric: 'errorRate',
        rate: round(rate),
        baseline: round(baseline),
        z: round(z),
        errors: Math.round(errors),
        lines,
        classified,
        isEstimate: classified < lines,
        ...inspector.fields(),
      },
    });
  };

  /** Inspects one line; an error line with a template new after the learning minute is announced. True for an error line. */
  const inspect = (line: string, stream: 'out' | 'err', ts: number, id: number, isAlone = false): boolean => {
    const found = inspector.inspect(line, stream, isAlone);
    if (found === undefined) return false;
    if (found.isNew && ts - firstTs >= NEW_TEMPLATE_LEARNING_MS) {
      emit('template', ts, {
        kind: 'log.anomaly',
        severity: 'warning',
        app,
        id,
        message: `${app}: a new error template: ${inspector.last!.template}`,
        fields: { metric: 'newTemplate', ...inspector.fields() },
      });
    }
    return true;
  };

  /**
   * Classifies the lines of a batch: all of them within the app's share per second, else a sample spread
   * over its bytes (one random byte in each of `want` equal stretches, and the line holding it). A line
   * is then picked in proportion to its length, so each error line picked counts for the bytes per
   * pick over its length: the error estimate stays unbiased when error lines are longer (stack traces).
   * A picked line is judged without the lines before it (an exception line under a logged error then
   * counts as an error of its own).
   */
  const classifyBatch = (batch: LineBatch, id: number): { classified: number; errors: number } => {
    const rate = Math.min(1, share / Math.max(1, history.previousSecondLines, history.secondLines));
    let want = batch.lines * rate;
    want = Math.floor(want) + (Math.random() < want - Math.floor(want) ? 1 : 0);
    // at most the app's share in a second (an app's first second has no count of the second before)
    want = Math.min(want, Math.max(0, Math.floor(share - history.secondSampled)));
    want = budget.grant(want, history.secondSampled);
    if (want === 0) {
      // over this second's share: the batch counts with the error rate of the lines sampled this minute
      return {
        classified: 0,
        errors: representedLines === 0 ? 0 : (batch.lines * representedErrors) / representedLines,
      };
    }
    let errors = 0;
    if (want >= batch.lines) {
      for (const line of lineStrings(batch.data)) if (inspect(line, batch.stream, batch.ts, id)) errors += 1;
      representedLines += batch.lines;
      representedErrors += errors;
      return { classified: batch.lines, errors };
    }
    const { data } = batch;
    const stretch = data.length / want;
    for (let j = 0; j < want; j += 1) {
      const at = Math.floor((j + Math.random()) * stretch);
      const start = at === 0 ? 0 : data.lastIndexOf(10, at - 1) + 1;
      const newline = data.indexOf(10, at);
      const end = newline === -1 ? data.length : newline;
      const line = data.toString('utf8', start, end > start && data[end - 1] === 13 ? end - 1 : end);
      if (inspect(line, batch.stream, batch.ts, id, true)) errors += stretch / (end + 1 - start);
    }
    representedLines += batch.lines;
    representedErrors += errors;
    return { classified: want, errors };
  };

  return {
    /** Counts a batch of captured lines of process `id`, classifies (some of) them and returns its error lines (estimated when sampled). */
    push(batch: LineBatch, id: number): number {
      const ts = batch.ts;
      if (Number.isNaN(firstTs)) firstTs = ts;
      advance(ts);
      history.secondLines += batch.lines;
      share = budget.take(token, batch.lines, ts);
      const lines = batch.lines + pendingLines;
      pendingLines = 0;
      const { classified, errors } = classifyBatch(batch, id);
      history.secondSampled += classified;
      history.add(lines, classified, errors);
      if (errors > 0) checkBurst(ts, id, classified < batch.lines);
      return errors;
    },
    /** Classifies the next lines with the app's `log_rules` (undefined: none), tried before the built-in rules. */
    setRules(rules: readonly LogRuleSpec[] | undefined): void {
      inspector.setRules(rules);
    },
    /** Closes the minutes before `now` (judging them) when no line came. */
    tick(now: number): void {
      if (history.started) advance(now);
    },
    /**
     * `processes` of the app run from `at` (epoch ms): 0 when it stopped (none runs). Its usual error
     * count is per running process (1 until told otherwise); telling what it already is does nothing.
     */
    setRunning(processes: number, at: number): void {
      closeMinutes(history.setProcesses(processes, at), at);
    },
    /** Leaves the shared budget (the app was deleted). */
    dispose(): void {
      budget.forget(token);
    },
    /** Error lines per minute over the last hour (0 for minutes without lines), oldest first: for tests and health. */
    errorsPerMinute(): number[] {
      return history.errorsPerMinute();
    },
  };

  function checkBurst(ts: number, id: number, isEstimate: boolean): void {
    const burst = history.burst();
    if (burst === undefined) return;
    // over the threshold less than a window ago: the same burst goes on (it was reported, or held back);
    // a rate that hovers at the threshold (the window's current second fills up) is one burst too
    const isOngoing = ts - burstSeenAt < ERROR_BURST_WINDOW_MS;
    burstSeenAt = ts;
    if (isOngoing) return;
    const seconds = ERROR_BURST_WINDOW_MS / 1000;
    const last = inspector.last;
    emit('burst', ts, {
      kind: 'log.error_burst',
      severity: 'error',
      app,
      id,
      message: `${app}: ${Math.round(burst.errors)} error lines in ${seconds} s (usually ${round(burst.usual)})${last ? `: ${last.message}` : ''}`,
      fields: {
        errors: Math.round(burst.errors),
        windowMs: ERROR_BURST_WINDOW_MS,
        rate: round(burst.errors / seconds),
        baseline: round(burst.usual / seconds),
        isEstimate,
        ...inspector.fields(),
      },
    });
  }
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
