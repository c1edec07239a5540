import { type EventInput, isoTime } from '@velos/core';
import { ANOMALY_RULES, createRecordParser, TemplateMiner } from '@velos/log-engine';
import { type LineBatch, lineStrings } from '../logs/line-batch.js';

/** Lines classified per second and app at most; beyond, a sample of them (error counts are then estimates). */
export const LIVE_SAMPLE_LINES_PER_SECOND = 1000;
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
 * (every line up to 1000 lines/s, a spread sample beyond), the template miner on error lines only,
 * and events: `log.anomaly` for an error-rate minute above mean + 2σ (warning) or 3σ (critical) of
 * the last hour (ENG-5) or a new error template, `log.error_burst` for 50+ errors in 10 s at 5× the
 * usual rate; each at most once a minute per app. Its memory is fixed: rings of 60 minutes and 10
 * seconds, at most 200 templates.
 */
export function createLiveEngine(app: string, publish: (event: EventInput) => void, linesBefore = 0) {
  const parse = createRecordParser();
  let miner: TemplateMiner | null = null;
  const known = new Set<number>();
  const minuteLines = new Float64Array(HISTORY_MINUTES);
  const minuteErrors = new Float64Array(HISTORY_MINUTES);
  const secondErrors = new Float64Array(SECOND_SLOTS);
  let headMinute = Number.NaN;
  let firstMinute = Number.NaN;
  let headSecond = Number.NaN;
  let firstTs = Number.NaN;
  let secondLines = 0;
  let previousSecondLines = 0;
  let secondSampled = 0;
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
      }
      headMinute = minute;
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
        ...templateFields(),
      },
    });
  };

  const templateFields = (): Record<string, string> =>
    lastError ? { template: lastError.template, sample: lastError.message } : {};

  /** Classifies one line; an error line goes through the miner. True for an error or fatal line. */
  const inspect = (line: string, stream: 'out' | 'err', ts: number, id: number): boolean => {
    const record = parse({ line, stream });
    if (record.level !== 'error' && record.level !== 'fatal') return false;
    miner ??= new TemplateMiner({ maxTemplates: LIVE_MAX_TEMPLATES });
    const templateId = miner.add(record.message);
    const template = miner.template(templateId) ?? record.message;
    const message =
      record.message.length > MAX_SAMPLE_CHARS
        ? `${record.message.slice(0, MAX_SAMPLE_CHARS)}…`
        : record.message;
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

  /** The lines of a batch to classify: all of them within the per-second budget, else a spread sample. */
  const sampleOf = (batch: LineBatch): string[] => {
    const rate = Math.min(1, LIVE_SAMPLE_LINES_PER_SECOND / Math.max(1, previousSecondLines, secondLines));
    let want = batch.lines * rate;
    want = Math.floor(want) + (Math.random() < want - Math.floor(want) ? 1 : 0);
    if (secondSampled + want > LIVE_SAMPLE_LINES_PER_SECOND * 2) want = 0;
    if (want >= batch.lines) return lineStrings(batch.data);
    const { data } = batch;
    const picked: string[] = [];
    for (let j = 0; j < want; j += 1) {
      const at = Math.floor(((j + Math.random()) * data.length) / want);
      const start = at === 0 ? 0 : data.lastIndexOf(10, at - 1) + 1;
      const newline = data.indexOf(10, at);
      const end = newline === -1 ? data.length : newline;
      picked.push(data.toString('utf8', start, end > start && data[end - 1] === 13 ? end - 1 : end));
    }
    return picked;
  };

  return {
    /** Counts a batch of captured lines of process `id`, classifies (some of) them and returns its error lines (estimated when sampled). */
    push(batch: LineBatch, id: number): number {
      const ts = batch.ts;
      if (Number.isNaN(firstTs)) firstTs = ts;
      advance(ts);
      secondLines += batch.lines;
      const lines = batch.lines + pendingLines;
      pendingLines = 0;
      const sample = sampleOf(batch);
      secondSampled += sample.length;
      let errors = 0;
      for (const line of sample) if (inspect(line, batch.stream, ts, id)) errors += 1;
      const estimated = sample.length === 0 ? 0 : (errors * batch.lines) / sample.length;
      minuteLines[headMinute % HISTORY_MINUTES]! += lines;
      minuteErrors[headMinute % HISTORY_MINUTES]! += estimated;
      secondErrors[headSecond % SECOND_SLOTS]! += estimated;
      if (estimated > 0) checkBurst(ts, id, sample.length < batch.lines);
      return estimated;
    },
    /** Closes the minutes before `now` (judging them) when no line came. */
    tick(now: number): void {
      if (!Number.isNaN(headMinute)) advance(now);
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
