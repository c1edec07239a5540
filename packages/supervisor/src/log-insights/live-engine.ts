import { type EventInput, isoTime } from '@velos/core';
import {
  ANOMALY_RULES,
  createClassifier,
  messageOf,
  parseStructuredLine,
  TemplateMiner,
} from '@velos/log-engine';
import { type LineBatch, lineStrings } from '../logs/line-batch.js';
import { LiveBudget } from './live-budget.js';

export { LiveBudget } from './live-budget.js';
/** Error templates the live miner of one app keeps (least recently seen dropped first). */
export const LIVE_MAX_TEMPLATES = 200;
/** An error burst: at least this many error lines within `ERROR_BURST_WINDOW_MS`… */
export const ERROR_BURST_MIN_ERRORS = 50;
/** …and at least this many times the usual number of errors in such a window. */
export const ERROR_BURST_FACTOR = 5;
export const ERROR_BURST_WINDOW_MS = 10_000;
/** One event of each kind (error-rate anomaly, new error template, error burst) per app in this time at most. */
export const LIVE_EVENT_INTERVAL_MS = 60_000;
/** New error templates are not announced during an app's first minute of lines: everything is new then. */
export const NEW_TEMPLATE_LEARNING_MS = 60_000;

const HISTORY_MINUTES = 60;
const MIN_HISTORY_MINUTES = 10;
const SECOND_SLOTS = ERROR_BURST_WINDOW_MS / 1000;
const MAX_KNOWN_TEMPLATES = 1000;
const MAX_SAMPLE_CHARS = 500;

type Kind = 'rate' | 'template' | 'burst';

/**
 * The live log engine of one app: exact per-minute line counts, error counts from the classifier
 * (every line while the app is within its share of the budget all apps share, see `LiveBudget`; a
 * spread sample beyond, and the events then say how many lines were classified), the template miner on
 * error lines only,
 * and events: `log.anomaly` for an error-rate minute above mean + 2σ (warning) or 3σ (critical) of
 * the last hour (ENG-5) or a new error template, `log.error_burst` for 50+ errors in 10 s at 5× the
 * usual rate; each at most once a minute per app. Its memory is fixed: rings of 60 minutes and 10
 * seconds, at most 200 templates.
 */
export function createLiveEngine(
  app: string,
  publish: (event: EventInput) => void,
  linesBefore = 0,
  budget = new LiveBudget(),
) {
  const classify = createClassifier();
  const context: { stream?: 'out' | 'err' } = {};
  /** This engine's key in the shared budget. */
  const token = {};
  let miner: TemplateMiner | null = null;
  const known = new Set<number>();
  const minuteLines = new Float64Array(HISTORY_MINUTES);
  const minuteErrors = new Float64Array(HISTORY_MINUTES);
  /** Lines the classifier saw per minute (fewer than `minuteLines` when sampled). */
  const minuteClassified = new Float64Array(HISTORY_MINUTES);
  const secondErrors = new Float64Array(SECOND_SLOTS);
  let headMinute = Number.NaN;
  let firstMinute = Number.NaN;
  let headSecond = Number.NaN;
  let firstTs = Number.NaN;
  let secondLines = 0;
  let previousSecondLines = 0;
  let secondSampled = 0;
  /** Lines per second this app may classify now (its share of the budget). */
  let share = 0;
  /** This minute's lines in batches that were (partly) classified, and their (estimated) error lines. */
  let representedLines = 0;
  let representedErrors = 0;
  let pendingLines = linesBefore;
  const lastEventAt: Record<Kind, number> = { rate: 0, template: 0, burst: 0 };
  let lastError: { id: number; template: string; message: string } | undefined;

  const emit = (kind: Kind, now: number, event: EventInput): void => {
    if (now - lastEventAt[kind] < LIVE_EVENT_INTERVAL_MS) return;
    lastEventAt[kind] = now;
    publish(event);
  };

  const advance = (ts: number): void => {
    const minute = Math.floor(ts / 60_000);
    if (Number.isNaN(headMinute)) {
      headMinute = minute;
      firstMinute = minute;
    } else if (minute > headMinute) {
      judgeMinute(headMinute, ts);
      for (let m = headMinute + 1; m <= Math.min(minute, headMinute + HISTORY_MINUTES); m += 1) {
        minuteLines[m % HISTORY_MINUTES] = 0;
        minuteErrors[m % HISTORY_MINUTES] = 0;
        minuteClassified[m % HISTORY_MINUTES] = 0;
      }
      headMinute = minute;
      representedLines = 0;
      representedErrors = 0;
    }
    const second = Math.floor(ts / 1000);
    if (Number.isNaN(headSecond)) headSecond = second;
    else if (second > headSecond) {
      for (let s = headSecond + 1; s <= Math.min(second, headSecond + SECOND_SLOTS); s += 1) {
        secondErrors[s % SECOND_SLOTS] = 0;
      }
      previousSecondLines = second === headSecond + 1 ? secondLines : 0;
      secondLines = 0;
      secondSampled = 0;
      headSecond = second;
    }
  };

  /** ENG-5 on the error rate of a minute that just closed, against the minutes before it that had lines. */
  const judgeMinute = (minute: number, now: number): void => {
    const slot = minute % HISTORY_MINUTES;
    const lines = minuteLines[slot]!;
    const errors = minuteErrors[slot]!;
    const classified = minuteClassified[slot]!;
    if (lines === 0 || errors < ANOMALY_RULES.minErrors) return;
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    for (let m = Math.max(firstMinute, minute - HISTORY_MINUTES + 1); m < minute; m += 1) {
      const count = minuteLines[m % HISTORY_MINUTES]!;
      if (count === 0) continue;
      const rate = minuteErrors[m % HISTORY_MINUTES]! / count;
      n += 1;
      sum += rate;
      sumSq += rate * rate;
    }
    if (n < MIN_HISTORY_MINUTES) return;
    const mean = sum / n;
    const stddev = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    const rate = errors / lines;
    const z = (rate - mean) / Math.max(stddev, ANOMALY_RULES.minRateStddev);
    if (z < ANOMALY_RULES.warningZ) return;
    const severity = z >= ANOMALY_RULES.criticalZ ? 'critical' : 'warning';
    emit('rate', now, {
      kind: 'log.anomaly',
      severity,
      app,
      message: `${app}: error rate ${percent(rate)} in the minute of ${isoTime(minute * 60_000)}, usually ${percent(mean)} (${severity})`,
      fields: {
        metric: 'errorRate',
        rate: round(rate),
        baseline: round(mean),
        z: round(z),
        errors: Math.round(errors),
        lines,
        classified,
        isEstimate: classified < lines,
        ...templateFields(),
      },
    });
  };

  const templateFields = (): Record<string, string> =>
    lastError ? { template: lastError.template, sample: lastError.message } : {};

  /**
   * Classifies one line as `createRecordParser` does (a JSON line's own level, else the classifier), but
   * takes the message apart (leading timestamp) only for error lines; an error line goes through the
   * miner. True for an error or fatal line.
   */
  const inspect = (line: string, stream: 'out' | 'err', ts: number, id: number): boolean => {
    const structured = parseStructuredLine(line);
    context.stream = stream;
    const level =
      structured === undefined
        ? classify(line, context)
        : (structured.level ?? classify(structured.message, context));
    if (level !== 'error' && level !== 'fatal') return false;
    const full = structured === undefined ? messageOf(line) : structured.message;
    miner ??= new TemplateMiner({ maxTemplates: LIVE_MAX_TEMPLATES });
    const templateId = miner.add(full);
    const template = miner.template(templateId) ?? full;
    const message = full.length > MAX_SAMPLE_CHARS ? `${full.slice(0, MAX_SAMPLE_CHARS)}…` : full;
    lastError = { id: templateId, template: template.slice(0, MAX_SAMPLE_CHARS), message };
    if (!known.has(templateId)) {
      if (known.size >= MAX_KNOWN_TEMPLATES) known.clear();
      known.add(templateId);
      if (ts - firstTs >= NEW_TEMPLATE_LEARNING_MS) {
        emit('template', ts, {
          kind: 'log.anomaly',
          severity: 'warning',
          app,
          id,
          message: `${app}: a new error template: ${lastError.template}`,
          fields: { metric: 'newTemplate', ...templateFields() },
        });
      }
    }
    return true;
  };

  /**
   * Classifies the lines of a batch: all of them within the app's share per second, else a sample spread
   * over its bytes (one random byte in each of `want` equal stretches, and the line holding it). A line
   * is then picked in proportion to its length, so each error line picked counts for the bytes per
   * pick over its length: the error estimate stays unbiased when error lines are longer (stack traces).
   */
  const classifyBatch = (batch: LineBatch, id: number): { classified: number; errors: number } => {
    const rate = Math.min(1, share / Math.max(1, previousSecondLines, secondLines));
    let want = batch.lines * rate;
    want = Math.floor(want) + (Math.random() < want - Math.floor(want) ? 1 : 0);
    want = Math.min(want, Math.max(0, Math.floor(share * 2 - secondSampled)));
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
      if (inspect(line, batch.stream, batch.ts, id)) errors += stretch / (end + 1 - start);
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
      secondLines += batch.lines;
      share = budget.take(token, batch.lines, ts);
      const lines = batch.lines + pendingLines;
      pendingLines = 0;
      const { classified, errors } = classifyBatch(batch, id);
      secondSampled += classified;
      minuteLines[headMinute % HISTORY_MINUTES]! += lines;
      minuteClassified[headMinute % HISTORY_MINUTES]! += classified;
      minuteErrors[headMinute % HISTORY_MINUTES]! += errors;
      secondErrors[headSecond % SECOND_SLOTS]! += errors;
      if (errors > 0) checkBurst(ts, id, classified < batch.lines);
      return errors;
    },
    /** Closes the minutes before `now` (judging them) when no line came. */
    tick(now: number): void {
      if (!Number.isNaN(headMinute)) advance(now);
    },
    /** Leaves the shared budget (the app was deleted). */
    dispose(): void {
      budget.forget(token);
    },
    /** Error lines per minute over the last hour (0 for minutes without lines), oldest first: for tests and health. */
    errorsPerMinute(): number[] {
      if (Number.isNaN(headMinute)) return [];
      const out: number[] = [];
      for (let m = Math.max(firstMinute, headMinute - HISTORY_MINUTES + 1); m <= headMinute; m += 1) {
        out.push(minuteErrors[m % HISTORY_MINUTES]!);
      }
      return out;
    },
  };

  function checkBurst(ts: number, id: number, isEstimate: boolean): void {
    let windowErrors = 0;
    for (const count of secondErrors) windowErrors += count;
    if (windowErrors < ERROR_BURST_MIN_ERRORS) return;
    let historyErrors = 0;
    let historyMinutes = 0;
    for (let m = Math.max(firstMinute, headMinute - HISTORY_MINUTES + 1); m < headMinute; m += 1) {
      historyErrors += minuteErrors[m % HISTORY_MINUTES]!;
      historyMinutes += 1;
    }
    const perWindow =
      historyMinutes === 0 ? 0 : (historyErrors / historyMinutes) * (ERROR_BURST_WINDOW_MS / 60_000);
    if (windowErrors < ERROR_BURST_FACTOR * perWindow) return;
    const seconds = ERROR_BURST_WINDOW_MS / 1000;
    emit('burst', ts, {
      kind: 'log.error_burst',
      severity: 'error',
      app,
      id,
      message: `${app}: ${Math.round(windowErrors)} error lines in ${seconds} s (usually ${round(perWindow)})${lastError ? `: ${lastError.message}` : ''}`,
      fields: {
        errors: Math.round(windowErrors),
        windowMs: ERROR_BURST_WINDOW_MS,
        rate: round(windowErrors / seconds),
        baseline: round(perWindow / seconds),
        isEstimate,
        ...templateFields(),
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
