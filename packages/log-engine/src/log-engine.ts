import { type Anomaly, judgeMinute } from './anomaly-detector.js';
import type { LevelRule } from './classifier.js';
import { createError, LogEngineErrorCodes } from './errors.js';
import { type Level, levelSeverity } from './levels.js';
import { createRecordParser, type LogRecord, type ParsedRecord, type RecordParser } from './log-record.js';
import type { MaskOptions } from './masks.js';
import type { MinerSnapshot } from './miner-snapshot.js';
import { MINUTE_MS, minuteOf, slotOf, type Trend, trendOf } from './minute-ring.js';
import { isInnermostLast } from './stack-frame.js';
import { buildSummary, type Summary, type SummaryOptions } from './summary.js';
import { TemplateMiner } from './template-miner.js';

/** Options of `LogEngine`; every one has a default that needs no tuning. */
export interface LogEngineOptions {
  /** Templates kept at most (least recently seen dropped first); default 1000. */
  maxTemplates?: number;
  masks?: MaskOptions;
  /** Classifier content rules; default `DEFAULT_LEVEL_RULES`. */
  rules?: readonly LevelRule[];
  /** A user's rules, tried before labels and the content rules (see `compileUserRules`). */
  userRules?: readonly LevelRule[];
  /** Minutes of per-minute history kept for patterns and anomalies; default 60. */
  windowMinutes?: number;
  /** Minutes of history needed before a minute can be judged anomalous; default 10. */
  minHistoryMinutes?: number;
  /** Time of records that carry none and follow no timed record; default none (such records are untimed). */
  clock?: () => number;
  /** A `TemplateMiner` snapshot to start from. */
  templates?: MinerSnapshot;
}

/** A record after `push`: parsed, classified and given its template (-1 for a continuation line, which is not mined). */
export interface EngineRecord extends ParsedRecord {
  templateId: number;
}

/** A recurring template with its frequency (ENG-4). */
export interface Pattern {
  templateId: number;
  template: string;
  count: number;
  /** The most severe level among its lines. */
  level: Level;
  /**
   * Its error and fatal lines, when some of its lines are not (an access-log request answered 200 and
   * 500 is one template): `count` counts every line, this the errors only.
   */
  errorCount?: number;
  firstTs: number | undefined;
  lastTs: number | undefined;
  /**
   * Average lines per minute over the engine's period (its first to its last timestamp); undefined
   * without timestamps or when they span less than a second (`MIN_RATE_SPAN_MS`).
   */
  perMinute: number | undefined;
  /** Older versus recent half of the last `windowMinutes` minutes. */
  trend: Trend;
  /** The last line of the pattern. */
  sample: string;
  /**
   * For an error template, the top frame of the stack trace under its last line that had one (Node's and
   * Java's first `at …` line, Python's last `File "…"` line), when there was one.
   */
  frame?: string;
}

/** The last error or fatal line seen. */
export interface LastError {
  ts: number | undefined;
  level: Level;
  line: string;
  /** What is shown: the line's message (a JSON line's `msg`, a plain line without its leading timestamp). */
  message: string;
  templateId: number;
}

interface TemplateStats {
  count: number;
  /** Error and fatal lines. */
  errors: number;
  level: Level;
  firstTs: number | undefined;
  lastTs: number | undefined;
  sample: string;
  minutes: Uint32Array;
  frame: string | undefined;
}

/** The current event of a stream, for the frames of its trace. */
interface OpenEvent {
  /** The stats of its template when it is an error or fatal event. */
  errorStats: TemplateStats | undefined;
  /** True once its top frame is known (a Python frame is replaced by the next one: the innermost comes last). */
  hasFrame: boolean;
  /** The last Python frame under an event that is no error: an uncaught traceback's exception line comes after its frames. */
  pending: string | undefined;
}

const MAX_ANOMALIES = 100;
/** The least span of time over which a pattern's rate per minute is given (a rate over less is noise). */
const MIN_RATE_SPAN_MS = 1000;

/**
 * Streaming log engine: push records one by one, read patterns, anomalies and a summary at any time.
 * Memory stays flat: templates are bounded and history is a ring of `windowMinutes` minutes.
 *
 * @example
 * const engine = new LogEngine();
 * engine.push({ ts: Date.now(), stream: 'err', line: 'Error: connect ECONNREFUSED 127.0.0.1:5432' });
 * console.log(formatSummary(engine.summary()));
 */
export class LogEngine {
  /** The template miner; its `snapshot()` saves the learnt templates. */
  readonly miner: TemplateMiner;
  private readonly parse: RecordParser;
  private readonly window: number;
  private readonly minHistory: number;
  private readonly clock: (() => number) | undefined;
  private readonly stats = new Map<number, TemplateStats>();
  private readonly volume: Uint32Array;
  private readonly errors: Uint32Array;
  private readonly levelCounts: Record<Level, number> = { fatal: 0, error: 0, warn: 0, info: 0, debug: 0 };
  private continued = 0;
  private readonly open: Record<'out' | 'err' | 'none', OpenEvent> = {
    out: newOpenEvent(),
    err: newOpenEvent(),
    none: newOpenEvent(),
  };
  private readonly judged: Anomaly[] = [];
  private head = Number.NaN;
  private firstMinute = Number.NaN;
  private firstTs: number | undefined;
  private lastTs: number | undefined;
  private last: LastError | undefined;

  constructor(options: LogEngineOptions = {}) {
    const window = options.windowMinutes ?? 60;
    const minHistory = options.minHistoryMinutes ?? 10;
    if (!Number.isInteger(window) || window < 2 || window > 10_080) {
      throw createError(
        LogEngineErrorCodes.INVALID_ARGUMENT,
        `windowMinutes: expected 2–10080, got ${window}`,
      );
    }
    if (!Number.isInteger(minHistory) || minHistory < 1 || minHistory >= window) {
      throw createError(
        LogEngineErrorCodes.INVALID_ARGUMENT,
        `minHistoryMinutes: expected an integer from 1 to windowMinutes - 1, got ${minHistory}`,
      );
    }
    this.window = window;
    this.minHistory = minHistory;
    this.clock = options.clock;
    this.volume = new Uint32Array(window);
    this.errors = new Uint32Array(window);
    this.parse = createRecordParser({ rules: options.rules, userRules: options.userRules });
    const minerOptions = {
      maxTemplates: options.maxTemplates,
      masks: options.masks,
      onMerge: (from: number, into: number) => this.mergeStats(from, into),
      onEvict: (id: number) => this.stats.delete(id),
    };
    this.miner =
      options.templates === undefined
        ? new TemplateMiner(minerOptions)
        : TemplateMiner.restore(options.templates, minerOptions);
  }

  /** Events pushed so far (lines that start one), by level; continuation lines are in `continuationLines`. */
  get levels(): Readonly<Record<Level, number>> {
    return this.levelCounts;
  }

  /** Lines pushed so far that continue the event before them (stack frames, blank lines): in no level. */
  get continuationLines(): number {
    return this.continued;
  }

  /** Parses, classifies and mines one record, and counts it. */
  push(input: LogRecord | string): EngineRecord {
    return this.add(this.parse(input));
  }

  /** Parses and classifies one record as `push` does, without mining or counting it. */
  parseRecord(input: LogRecord | string): ParsedRecord {
    return this.parse(input);
  }

  /**
   * Mines and counts a record from `parseRecord` as `weight` lines (a positive integer): a sampler
   * that keeps one line in `weight` counts each kept line for all of them. A continuation line (a stack
   * frame, a blank line) belongs to the event before it: it is counted in `continuationLines` only, and
   * is neither mined, nor in a level count, a pattern, the per-minute history, nor the last error.
   * A .NET console header is counted as such a line until its message line comes, which is the event;
   * when another line comes instead (`parsed.orphan`), the header is counted as an event first.
   */
  add(parsed: ParsedRecord, weight = 1): EngineRecord {
    if (weight !== 1 && !(Number.isInteger(weight) && weight > 1)) {
      throw createError(
        LogEngineErrorCodes.INVALID_ARGUMENT,
        `weight: expected a positive integer, got ${weight}`,
      );
    }
    if (parsed.orphan !== undefined) this.addOrphan(parsed.orphan, weight);
    const record = parsed as EngineRecord;
    const ts = record.ts ?? this.lastTs ?? this.clock?.();
    record.ts = ts;
    if (record.isContinuation) {
      this.continued += weight;
      record.templateId = -1;
      if (record.frame !== undefined) this.noteFrame(this.open[record.stream ?? 'none'], record.frame);
      return record;
    }
    const id = this.miner.add(record.message);
    record.templateId = id;
    const level = record.level;
    this.levelCounts[level] += weight;
    const isError = level === 'error' || level === 'fatal';
    let stats = this.stats.get(id);
    if (stats === undefined) {
      stats = {
        count: 0,
        errors: 0,
        level,
        firstTs: ts,
        lastTs: ts,
        sample: '',
        minutes: new Uint32Array(this.window),
        frame: undefined,
      };
      this.stats.set(id, stats);
    }
    const open = this.open[record.stream ?? 'none'];
    if (isError && open.pending !== undefined) stats.frame = open.pending;
    open.errorStats = isError ? stats : undefined;
    open.hasFrame = false;
    open.pending = undefined;
    stats.count += weight;
    if (isError) stats.errors += weight;
    stats.sample = record.line;
    if (levelSeverity(level) > levelSeverity(stats.level)) stats.level = level;
    if (ts !== undefined) {
      if (stats.firstTs === undefined || ts < stats.firstTs) stats.firstTs = ts;
      if (stats.lastTs === undefined || ts > stats.lastTs) stats.lastTs = ts;
      if (this.firstTs === undefined || ts < this.firstTs) this.firstTs = ts;
      if (this.lastTs === undefined || ts > this.lastTs) this.lastTs = ts;
      const minute = minuteOf(ts);
      if (Number.isNaN(this.head)) {
        this.head = minute;
        this.firstMinute = minute;
      } else if (minute > this.head) {
        this.advance(minute);
      }
      if (minute > this.head - this.window) {
        const slot = slotOf(minute, this.window);
        this.volume[slot]! += weight;
        stats.minutes[slot]! += weight;
        if (isError) this.errors[slot]! += weight;
      }
    }
    if (isError) this.last = { ts, level, line: record.line, message: record.message, templateId: id };
    return record;
  }

  /**
   * Ends the input pushed: a .NET console header still waiting for its message line (the input's last
   * line, see `ParsedRecord.awaitsMessage`) is counted as an event of its own. Call it before reading
   * the summary of a whole input; records pushed afterwards are parsed as the first of their stream.
   */
  flush(): void {
    for (const orphan of this.parse.end()) this.addOrphan(orphan, 1);
  }

  /** Moves the clock to `now` (epoch ms), closing and judging the minutes before it. */
  tick(now: number): void {
    const minute = minuteOf(now);
    if (!Number.isNaN(this.head) && minute > this.head) this.advance(minute);
  }

  /** Recurring templates, most frequent first. */
  patterns(limit = Number.POSITIVE_INFINITY): Pattern[] {
    const from = Math.max(this.firstMinute, this.head - this.window + 1);
    // the rate over the time the lines really cover; none over less than a second (two lines 1 ms apart)
    const spanMs = this.firstTs === undefined || this.lastTs === undefined ? 0 : this.lastTs - this.firstTs;
    const periodMinutes = spanMs >= MIN_RATE_SPAN_MS ? spanMs / MINUTE_MS : undefined;
    const list: Pattern[] = [];
    for (const [id, s] of this.stats) {
      const timed = !Number.isNaN(this.head) && s.lastTs !== undefined;
      list.push({
        templateId: id,
        template: this.miner.template(id) ?? '',
        count: s.count,
        level: s.level,
        ...(s.errors > 0 && s.errors < s.count ? { errorCount: s.errors } : {}),
        firstTs: s.firstTs,
        lastTs: s.lastTs,
        perMinute: timed && periodMinutes !== undefined ? s.count / periodMinutes : undefined,
        trend: timed ? trendOf(s.minutes, from, this.head) : 'stable',
        sample: s.sample,
        ...(s.frame === undefined ? {} : { frame: s.frame }),
      });
    }
    list.sort((a, b) => b.count - a.count || a.templateId - b.templateId);
    return list.length > limit ? list.slice(0, limit) : list;
  }

  /** Anomalies of the minutes in the window, oldest first, including the current minute so far. */
  anomalies(): Anomaly[] {
    const since = (this.head - this.window + 1) * MINUTE_MS;
    const kept = this.judged.filter((a) => a.minute >= since);
    return Number.isNaN(this.head) ? kept : kept.concat(this.judge(this.head));
  }

  /** The last error or fatal line. */
  lastError(): LastError | undefined {
    return this.last;
  }

  /** Period, totals by level, top patterns, anomalies, last error and health score (ENG-6). */
  summary(options: SummaryOptions = {}): Summary {
    return buildSummary({
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      levels: { ...this.levelCounts },
      continuationLines: this.continued,
      patterns: this.patterns(),
      anomalies: this.anomalies(),
      lastError: this.last,
      templates: this.miner.size,
      options,
    });
  }

  private judge(minute: number): Anomaly[] {
    return judgeMinute(
      {
        volume: this.volume,
        errors: this.errors,
        firstMinute: this.firstMinute,
        minHistory: this.minHistory,
      },
      minute,
    );
  }

  private advance(minute: number): void {
    for (const anomaly of this.judge(this.head)) {
      this.judged.push(anomaly);
      if (this.judged.length > MAX_ANOMALIES) this.judged.shift();
    }
    const until = Math.min(minute, this.head + this.window);
    for (let m = this.head + 1; m <= until; m++) {
      const slot = slotOf(m, this.window);
      this.volume[slot] = 0;
      this.errors[slot] = 0;
      for (const s of this.stats.values()) s.minutes[slot] = 0;
    }
    this.head = minute;
  }

  /** Counts a .NET header whose message never came as an event, no longer as a line of the next one. */
  private addOrphan(orphan: ParsedRecord, weight: number): void {
    this.continued = Math.max(0, this.continued - weight);
    this.add(orphan, weight);
  }

  /** Gives the frame to the current error event's template: its first frame, or Python's last. */
  private noteFrame(open: OpenEvent, frame: string): void {
    const isLast = isInnermostLast(frame);
    if (open.errorStats === undefined) {
      if (isLast) open.pending = frame;
      return;
    }
    if (open.hasFrame && !isLast) return;
    open.errorStats.frame = frame;
    open.hasFrame = true;
  }

  private mergeStats(from: number, into: number): void {
    const a = this.stats.get(from);
    if (a === undefined) return;
    this.stats.delete(from);
    const b = this.stats.get(into);
    if (b === undefined) {
      this.stats.set(into, a);
      return;
    }
    b.count += a.count;
    b.errors += a.errors;
    if (levelSeverity(a.level) > levelSeverity(b.level)) b.level = a.level;
    if (a.firstTs !== undefined && (b.firstTs === undefined || a.firstTs < b.firstTs)) b.firstTs = a.firstTs;
    if (a.lastTs !== undefined && (b.lastTs === undefined || a.lastTs > b.lastTs)) {
      b.lastTs = a.lastTs;
      b.sample = a.sample;
      if (a.frame !== undefined) b.frame = a.frame;
    }
    b.frame ??= a.frame;
    for (const open of Object.values(this.open)) if (open.errorStats === a) open.errorStats = b;
    for (let i = 0; i < b.minutes.length; i++) b.minutes[i]! += a.minutes[i]!;
    if (this.last?.templateId === from) this.last.templateId = into;
  }
}

function newOpenEvent(): OpenEvent {
  return { errorStats: undefined, hasFrame: false, pending: undefined };
}
