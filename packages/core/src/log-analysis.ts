import type { LogLine } from './process-info.js';
import type { LogStreamFilter, LogsCut } from './protocol.js';

/** A log level as the log engine gives it (ENG-1). */
export type LogLevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

/** What `logs.search` and `logs.analyze` read: an app's captured lines, rotated files included. */
export interface LogsQuery {
  /** An app name or a process id (its app's files are read), or several apps: `all`, a namespace, a /regex/ of names. */
  target: string;
  /** Epoch ms: lines that arrived at or after it (the time index gives plain lines their time). */
  since?: number;
  /** Epoch ms: lines that arrived at or before it. */
  until?: number;
  /** Lines at least this severe (`error` also finds `fatal`). */
  level?: LogLevelName;
  /** A regular expression the line matches (no backreferences or lookarounds, at most 1000 characters). */
  grep?: string;
  /** `grep` ignores case. */
  ignoreCase?: boolean;
  stream?: LogStreamFilter;
  /** Search: the newest N matching lines (default 100); analyze: patterns or entries listed (default 10). */
  limit?: number;
}

/** Parameters of `logs.search`. */
export interface LogsSearchRequest extends LogsQuery {
  /** Lines that are not valid UTF-8 also carry their bytes (`LogLine.bytes`), plain log files only (see `LogsRequest.withBytes`). */
  withBytes?: boolean;
}

/** What a query read, and whether its time budget stopped it early. */
export interface LogsScanInfo {
  /** Lines read in the time range (before `level`/`grep`). */
  lines: number;
  /** Log files read, oldest first. */
  files: string[];
  /** True when the time budget ran out: older files or lines were not read. */
  isPartial?: boolean;
  /**
   * `logs.analyze` only, with `isPartial` (epoch ms): every line of the range from this time on was
   * read (the newest are read first); lines before it were not, or only some. Over several apps, the
   * latest of the partial apps' `readFrom`. Absent when the time index cannot say (the oldest lines
   * were not read).
   */
  readFrom?: number;
}

/** Answer of `logs.search`: the newest matching lines, oldest first. */
export interface LogsSearchResult {
  lines: LogLine[];
  scanned: LogsScanInfo;
  /** Set when the target named one instance of an app whose instances share their files (see `LogsAnalyzeResult.sharedBy`). */
  sharedBy?: number[];
  /** Matching lines left out by `limit` or the answer's byte limit. */
  cut?: LogsSearchCut;
  /** The target's current log files that did not exist when read (see `LogsResult.missingFiles`): none of their lines was searched. */
  missingFiles?: string[];
}

/**
 * What a `logs.search` answer left out, and what did: `limit` (the newest `limit` matches are kept)
 * and/or `maxBytes` (the answer's byte limit), each present only when it left matches out.
 */
export interface LogsSearchCut extends Omit<LogsCut, 'maxBytes' | 'omittedLines'> {
  /**
   * Matches left out, at least: those of the files read (a search stops reading older files once they
   * cannot hold newer matches, and at the end of its time budget; their matches are not counted).
   */
  omittedLines: number;
  /** The request's `limit` (or its default), when older matches beyond it were left out. */
  limit?: number;
  /** The answer's byte limit, when matches within `limit` did not fit in it. */
  maxBytes?: number;
}

/** The views of `logs.analyze` (ENG-2, ENG-4, ENG-5, ENG-6). */
export type LogsView = 'summary' | 'patterns' | 'dedupe' | 'anomalies';

/** Parameters of `logs.analyze`. */
export interface LogsAnalyzeRequest extends LogsQuery {
  view: LogsView;
  /** Summary: the last `period` ms (a shortcut for `since: now - period`). */
  periodMs?: number;
}

/** A recurring template (ENG-4). */
export interface LogPatternInfo {
  id: number;
  template: string;
  /** Lines of the template (an estimate when `sampleRate` < 1). */
  count: number;
  level: LogLevelName;
  /**
   * Its error and fatal lines, when not all of its lines are errors (an access log's request answered
   * 200 and 503 is one template): `count` counts every line, this the errors only.
   */
  errorCount?: number;
  perMin?: number;
  trend: 'rising' | 'stable' | 'declining';
  /** Epoch ms of its first and last line. */
  first?: number;
  last?: number;
  /** Its last line (the message of a JSON line). */
  sample: string;
  /** An error template's top stack frame (`at handler (/srv/app.js:12:5)`), from its last trace that had one. */
  frame?: string;
  /** A view over several apps: the apps whose lines it holds, the one with the most first. */
  apps?: string[];
}

/** Lines of one template collapsed together (ENG-2). */
export interface LogDedupeInfo {
  template: string;
  count: number;
  level: LogLevelName;
  first?: number;
  last?: number;
  /** The first line, as written. */
  line: string;
  /** A dedupe over several apps: the app of its lines (each app's lines are collapsed apart). */
  app?: string;
}

/** An unusual minute (ENG-5). */
export interface LogAnomalyInfo {
  /** Epoch ms of the start of the minute. */
  at: number;
  metric: 'volume' | 'errorRate';
  value: number;
  mean: number;
  z: number;
  severity: 'warning' | 'critical';
}

/** A digest of an app's logs (ENG-6). */
export interface LogSummaryInfo {
  period?: { from: number; to: number };
  /** Every line: the events counted in `levels` and the continuation lines. */
  lines: number;
  /** Events by level: lines that start an event (a stack frame or blank line is in no level). */
  levels: Partial<Record<LogLevelName, number>>;
  /** Lines that continue the event before them (stack frames, blank lines); absent when none. */
  continuationLines?: number;
  health: number;
  templates: number;
  top: LogPatternInfo[];
  /** The error and fatal templates, fatal first then the most frequent (up to 5), the last error's among them; absent when none. */
  errors?: LogPatternInfo[];
  anomalies: LogAnomalyInfo[];
  /** The last error or fatal event: its message (a JSON line's `msg`, not the raw JSON), never a stack frame. */
  lastError?: { at?: number; level: LogLevelName; message: string };
  lastRestart?: { at: number; reason?: string };
  /**
   * Set when processes of the app (of the apps) are `errored` (the supervisor gave up restarting them):
   * how many, of how many. `health` is then 0 when all are, at most 50 when some are, whatever the lines.
   */
  errored?: LogErroredInfo;
  /**
   * The app's exits in the period, from the daemon's event store: `crashes` (failures nobody asked
   * for: a crash, a memory or health-check kill) lower `health`; `restarts` were followed by a new run;
   * `last` is the newest exit (code or signal, and why).
   */
  exits?: LogExitsInfo;
}

/** The processes of a summary's app (or apps) that are `errored`, of all of them (`of`). */
export interface LogErroredInfo {
  count: number;
  of: number;
}

/** The exits of an app in a summary's period (ENG-6). */
export interface LogExitsInfo {
  count: number;
  crashes: number;
  restarts: number;
  last?: { at: number; code?: number; signal?: string; reason?: string };
}

/** One app's share of a summary over several apps. */
export interface LogAppSummaryInfo {
  name: string;
  /** Its lines in the range (an estimate when `sampleRate` < 1), continuation lines included. */
  lines: number;
  /** Its events by level (error and fatal counts exact). */
  levels: Partial<Record<LogLevelName, number>>;
  /**
   * 0–100, the summary's score over its lines alone (its anomalies are the merged stream's, not counted),
   * 0 when its processes are all errored, at most 50 when some are.
   */
  health: number;
  /** Set when processes of the app are `errored`: how many, of how many. */
  errored?: LogErroredInfo;
  /** True when the time budget (each app gets an equal share of what is left) stopped before its oldest lines. */
  isPartial?: true;
  /** With `isPartial` (epoch ms): every line of the app from this time on was read, older ones not all. */
  readFrom?: number;
}

/** Answer of `logs.analyze`: the view asked for, and how much was read. */
export interface LogsAnalyzeResult {
  /** The app's name; over several apps, the target that selected them (`all`, a namespace, a /regex/). */
  app: string;
  view: LogsView;
  scanned: LogsScanInfo;
  /**
   * Set when the target named some of an app's processes (one instance, by its id) and they share
   * their log files with the others (the default; `log_per_instance` gives each its own): the ids of
   * every process of the app, whose lines the answer is of, as a line of the files cannot be told whose.
   */
  sharedBy?: number[];
  /** Lines given to the engine: all of them, or a uniform random sample of the range (see `sampleRate`). */
  analyzedLines: number;
  /**
   * Fraction of the lines analysed (1 = all). Below 1, every error and fatal line is still read and
   * counted exactly and goes to the engine (see `errorsSampled`); the other counts are estimates,
   * each sampled line counting for 1 / rate.
   */
  sampleRate: number;
  /**
   * Set when the range held more error and fatal lines than the engine takes whole (20,000): beyond,
   * they were sampled like the others (their template counts are estimates; the level counts and the
   * last error stay exact).
   */
  errorsSampled?: true;
  summary?: LogSummaryInfo;
  /** A summary over several apps: each app's lines, events and health, in the order of their first process id. */
  apps?: LogAppSummaryInfo[];
  patterns?: LogPatternInfo[];
  dedupe?: LogDedupeInfo[];
  anomalies?: LogAnomalyInfo[];
  /** The view as a few lines of text, for people. */
  text: string;
  /** Set when the answer's byte limit or `limit` left entries out. */
  omitted?: number;
  /** The target's current log files that did not exist when read (see `LogsResult.missingFiles`): none of their lines was analysed. */
  missingFiles?: string[];
}
