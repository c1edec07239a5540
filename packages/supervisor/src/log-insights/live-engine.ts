import { type EventInput, isoTime, type LogRuleSpec } from '@velos/core';
import { type LineBatch, lineStrings } from '../logs/line-batch.js';
import { ERROR_BURST_WINDOW_MS, ErrorHistory, type RateAnomaly } from './error-history.js';
import { ErrorInspector, type Inspection } from './error-inspector.js';
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

  /**
   * Inspects one line (a sample's pick: with its .NET entry's lines after it, see `ErrorInspector.inspect`);
   * an error with a template new after the learning minute is announced.
   */
  const inspect = (
    line: string,
    stream: 'out' | 'err',
    ts: number,
    id: number,
    isAlone = false,
    next?: () => string | undefined,
  ): Inspection => {
    const found = inspector.inspect(line, stream, isAlone, next);
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
    return found;
  };

  /**
   * Classifies the lines of a batch: all of them within the app's share per second, else a sample spread
   * over its bytes (one random byte in each of `want` equal stretches, and the line holding it). A line
   * is then picked in proportion to its length, so each error line picked counts for the bytes per
   * pick over its length: the error estimate stays unbiased when error lines are longer (stack traces).
   * A picked line is judged without the lines before it (an exception line under a logged error then
   * counts as an error of its own), but for a .NET console entry (`fail: Category[7]`, its message
   * indented under it), picked by any of its lines: it is read whole and counts as one line of its bytes.
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
      for (const line of lineStrings(batch.data)) errors += inspect(line, batch.stream, batch.ts, id).errors;
      representedLines += batch.lines;
      representedErrors += errors;
      return { classified: batch.lines, errors };
    }
    const { data } = batch;
    const stretch = data.length / want;
    const { stream, ts } = batch;
    /** Inspects the line at `start` alone, with the lines after it for a .NET entry: its errors and its span. */
    const inspectFrom = (start: number) => {
      let end = endOf(data, start);
      const next = (): string | undefined => {
        if (end + 1 >= data.length) return undefined;
        const from = end + 1;
        end = endOf(data, from);
        return lineAt(data, from);
      };
      const found = inspect(lineAt(data, start), stream, ts, id, true, next);
      // the last line `next` gave may not be the entry's: the span is the lines it read as its own
      return { errors: found.errors, start, end: nthEnd(data, start, found.lines) };
    };
    for (let j = 0; j < want; j += 1) {
      const at = Math.floor((j + Math.random()) * stretch);
      const start = at === 0 ? 0 : data.lastIndexOf(10, at - 1) + 1;
      // an indented line may be a scope or message line of a .NET entry: its header is read with it
      const header = isIndented(data, start) ? headerAbove(data, start) : undefined;
      let unit: { errors: number; start: number; end: number } | undefined;
      if (
        header !== undefined &&
        endsWithBracket(data, header) &&
        inspector.isEntryHeader(lineAt(data, header), stream)
      ) {
        unit = inspectFrom(header);
        if (unit.end < start) unit = undefined;
      }
      unit ??= inspectFrom(start);
      if (unit.errors > 0) errors += (unit.errors * stretch) / (unit.end + 1 - unit.start);
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

/** Lines walked back at most from an indented line to the header of its .NET console entry. */
const MAX_ENTRY_LINES = 8;

/** The index of the newline that ends the line starting at `start` (the end of `data` without one). */
function endOf(data: Buffer, start: number): number {
  const newline = data.indexOf(10, start);
  return newline === -1 ? data.length : newline;
}

/** The end (as `endOf`) of the `count`-th line from the one at `start`. */
function nthEnd(data: Buffer, start: number, count: number): number {
  let end = endOf(data, start);
  for (let i = 1; i < count && end < data.length; i += 1) end = endOf(data, end + 1);
  return end;
}

/** The text of the line starting at `start`, without its newline and a carriage return. */
function lineAt(data: Buffer, start: number): string {
  const end = endOf(data, start);
  return data.toString('utf8', start, end > start && data[end - 1] === 13 ? end - 1 : end);
}

/** True when the line at `start` starts with a space or a tab. */
function isIndented(data: Buffer, start: number): boolean {
  return data[start] === 32 || data[start] === 9;
}

/**
 * True when the line at `start` ends with `]` (trailing white space aside), as a .NET console header
 * does (`fail: Orders.Worker[7]`): a cheap check before the parser's, so that the frames of other
 * stack traces picked by a sample cost no second parse.
 */
function endsWithBracket(data: Buffer, start: number): boolean {
  let at = endOf(data, start) - 1;
  while (at > start && (data[at] === 32 || data[at] === 13 || data[at] === 9)) at -= 1;
  return data[at] === 93;
}

/** The start of the first line above the indented lines over `start` (at most `MAX_ENTRY_LINES` up), if any. */
function headerAbove(data: Buffer, start: number): number | undefined {
  let at = start;
  for (let i = 0; i < MAX_ENTRY_LINES && at > 0; i += 1) {
    const above = at === 1 ? 0 : data.lastIndexOf(10, at - 2) + 1;
    if (!isIndented(data, above)) return above;
    at = above;
  }
  return undefined;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
