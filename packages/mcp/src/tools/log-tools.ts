import { type LogLine, type LogsSearchResult, TARGET_MAX_CHARS } from '@velos/core';
import {
  AI_MESSAGE_CHARS_MAX,
  cutAiMessage,
  linesNameApp,
  toAiLogLine,
  toAiLogSummary,
} from '@velos/core/ai';
import * as z from 'zod';
import { ANSWER_BYTES_MAX, fitLists, newestThatFit } from '../answer-budget.js';
import { defineTool, detailField, spanOf, timeField, timeOf, withoutEmpty } from '../tool-kit.js';

/** The longest `period` of log_summary: the longest duration `parseDurationMs` reads. */
const PERIOD_MAX_MS = 365 * 86_400_000;
/** Characters of a line's message an answer keeps: one 2 MB line would fill an agent's whole context. */
export const MESSAGE_CHARS_MAX = AI_MESSAGE_CHARS_MAX;
/** The answer's own byte limit, as the descriptions name it: `48 KB`. */
const BUDGET = `${ANSWER_BYTES_MAX / 1024} KB`;
/** What `shared` of an answer says. */
const SHARED = `shared: the ids of the app's processes when the target is one of them and they share their log files (the default; log_per_instance = true gives each its own), whose lines cannot be told apart: the answer is of them all`;
const LINE_KEYS = `Lines: t ISO time, a app (unless the target names one app), i the process id of the instance that wrote it (an app with several processes, where known), s "err" for stderr, l level, m message (without colour codes; past ${MESSAGE_CHARS_MAX} characters cut, ending "… (N more characters)").`;
const levelField = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  .optional()
  .describe('Only lines at least this severe (error also finds fatal; trace finds what debug does)');
/** The log tools also take PM2's /regex/ of app names: every app whose name matches. */
const logTargetField = z
  .string()
  .min(1)
  .max(TARGET_MAX_CHARS)
  .describe('A process name, an id, a namespace, "all", or a /regex/ of app names');

/** The lists of log_summary in full, filled in this order with what fits its answer. */
const SUMMARY_LISTS = [
  ['summary', 'top'],
  ['summary', 'errors'],
  ['summary', 'anomalies'],
  ['missingFiles'],
  ['apps'],
];

/** The lists of log_summary brief (toAiLogSummary's keys), filled in this order with what fits its answer. */
const BRIEF_SUMMARY_LISTS = [['top'], ['errs'], ['an'], ['missing'], ['apps']];

/** log_read, log_search, log_summary: the daemon's captured logs and its log engine. */
export const LOG_TOOLS = [
  defineTool({
    name: 'log_read',
    title: 'Read recent log lines',
    command: 'logs',
    answer: `With level, the newest lines at least that severe (through logs.search). Answer: [line], oldest first; {lines, omitted} when older lines were left out: the lines of an answer fit in ${BUDGET} (ask for fewer, or log_search); {lines, olderIn} when the target is one instance of an app whose instances share their log files and fewer of its lines were held than asked: its older lines are in those files, not told apart from the other instances' (log_read of the app reads them all); {lines, missing} when log files of the target were gone when read (removed while the app ran): their lines are those the daemon held in memory; with level, {lines, shared} (${SHARED}). ${LINE_KEYS}`,
    input: {
      target: logTargetField,
      lines: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .optional()
        .describe(
          'How many recent lines of each app the target selects (default 20); with level, the newest N matches of them all',
        ),
      level: levelField,
      stream: z.enum(['out', 'err']).optional().describe('Only stdout or only stderr'),
    },
    run: async ({ target, lines = 20, level, stream }, { control }) => {
      if (level !== undefined) {
        // the newest `lines` matches: older ones left out by the limit are what was asked for
        const found = await control.searchLogs({
          target,
          level: searchLevel(level),
          limit: lines,
          ...(stream ? { stream } : {}),
        });
        const answer = await compactLines(target, found.lines, undefined);
        if (found.sharedBy === undefined) return answer;
        return Array.isArray(answer)
          ? { lines: answer, shared: found.sharedBy }
          : { ...(answer as object), shared: found.sharedBy };
      }
      // each line with its level (`l`), as velos logs --ai, REST and a search by level judge it
      const result = await control.logsResult({
        target,
        lines,
        withLevels: true,
        ...(stream ? { stream } : {}),
      });
      const answer = await compactLines(target, result.lines, result.cut?.omittedLines);
      if (!result.unattributed && !result.missingFiles) return answer;
      return {
        ...(Array.isArray(answer) ? { lines: answer } : (answer as object)),
        ...(result.unattributed ? { olderIn: result.unattributed } : {}),
        // removed under the daemon: the lines of those files are the ones it held in memory
        ...(result.missingFiles ? { missing: result.missingFiles } : {}),
      };
    },
  }),
  defineTool({
    name: 'log_search',
    title: 'Search logs',
    command: 'logs.search',
    answer: `A target of several apps ("all", a namespace, a /regex/) searches them all, their matches merged by time. Answer: {shared?, lines, scanned (lines read), omitted? (older matches left out by limit or by the answer's ${BUDGET}, at least: a search stops reading older files once they cannot hold newer matches, and does not count theirs; narrow with pattern, level, since, until), partial?, missing? (log files gone when read, removed while the app ran: their lines not searched)}; ${SHARED}. ${LINE_KEYS}`,
    input: {
      target: logTargetField,
      pattern: z
        .string()
        .max(1000)
        .optional()
        .describe('A regular expression the line matches (no backreferences or lookarounds)'),
      ignoreCase: z.boolean().optional().describe('The pattern ignores case'),
      since: timeField,
      until: timeField,
      level: levelField,
      limit: z.number().int().min(1).max(10_000).optional().describe('The newest N matches (default 50)'),
    },
    fields: { grep: 'pattern' },
    run: async ({ target, pattern, ignoreCase, since, until, level, limit = 50 }, { control }) => {
      const result = await control.searchLogs({
        target,
        limit,
        ...(pattern === undefined ? {} : { grep: pattern }),
        ...(ignoreCase ? { ignoreCase } : {}),
        ...(since === undefined ? {} : { since: timeOf('since', since) }),
        ...(until === undefined ? {} : { until: timeOf('until', until) }),
        ...(level === undefined ? {} : { level: searchLevel(level) }),
      });
      return compactSearch(target, result);
    },
  }),
  defineTool({
    name: 'log_summary',
    title: 'Summarise logs',
    command: 'logs.analyze',
    description:
      'Runs the log engine on the captured logs of the last period of an app, or of several ("all", a namespace, a /regex/ of names) merged by time: what they log most, their errors, anomalies, last restart.',
    answer: `Answer: app (the target), shared? (${SHARED}; never for JSON Lines files, whose records name their pid: the summary is then of the target's processes only), per the period used, in its largest whole unit (300s is 5m), h health 0-100 (0 when all its processes are errored, at most 50 when some), s err (err 1/3: some) when processes are errored, n lines, lv events by level (stack frames and blank lines continue an event: in n, not in lv), top templates {t template, c count, l level, ec its error lines when not all are errors, tr trend when not stable, pm per minute, fr top stack frame of an error, a its apps when several}, errs error and fatal templates not in top (fatal first) {t, c, l, ec, fr, a}, err last error {m, ago}, an anomalies {at, k metric, v, mean, z, sev}, rst last restart {ago, why}, ex exits of the period {n, cr crashes (each lowers h), rs restarts, last {ago, code, sig, why}}, tpl distinct templates; over several apps, apps [{a app, h, s, n, lv}] each app's share; missing the log files gone when read (removed while the app ran: their lines not read). detail=full gives the engine answer as is. Past ${BUDGET} of JSON, the entries of its lists that fit, in this order: brief top, errs, an, missing, apps; full summary.top, summary.errors, summary.anomalies, missingFiles, apps; omitted: how many were left out, and hint.`,
    input: {
      target: logTargetField,
      period: z.string().optional().describe('The last 30m, 1h (default), 1d …'),
      detail: detailField,
    },
    run: async ({ target, period = '1h', detail }, { control }) => {
      const periodMs = spanOf('period', period, { maxMs: PERIOD_MAX_MS, max: '365d', like: '30m, 1h or 1d' });
      const result = await control.analyzeLogs({ target, view: 'summary', periodMs });
      if (detail === 'full') {
        const full = withoutEmpty({ ...result, text: undefined }) as object;
        // the summary's own lists first: over a fleet the apps' shares are what weighs
        return fitLists(
          full,
          SUMMARY_LISTS,
          'detail brief (the default), or a target of one app for the others',
        );
      }
      // the brief lists in the order of the full ones: over a fleet the apps' shares are what weighs
      return fitLists(
        toAiLogSummary(result, periodMs),
        BRIEF_SUMMARY_LISTS,
        'a target of one app or namespace for the others',
      );
    },
  }),
];

async function compactLines(target: string, lines: LogLine[], omitted: number | undefined): Promise<unknown> {
  const hasApp = linesNameApp(target, lines);
  const strip = await ansiStripperFor(lines);
  const { kept, dropped } = newestThatFit(lines.map((line) => toAiLine(line, hasApp, strip)));
  const left = (omitted ?? 0) + dropped;
  return left > 0 ? { lines: kept, omitted: left } : kept;
}

async function compactSearch(target: string, result: LogsSearchResult): Promise<unknown> {
  const hasApp = linesNameApp(target, result.lines);
  const strip = await ansiStripperFor(result.lines);
  const { kept, dropped } = newestThatFit(result.lines.map((line) => toAiLine(line, hasApp, strip)));
  const omitted = (result.cut?.omittedLines ?? 0) + dropped;
  return {
    // one instance of an app whose instances share their files: the lines are any of theirs
    ...(result.sharedBy === undefined ? {} : { shared: result.sharedBy }),
    lines: kept,
    scanned: result.scanned.lines,
    ...(omitted > 0 ? { omitted } : {}),
    ...(result.scanned.isPartial ? { partial: true } : {}),
    ...(result.missingFiles ? { missing: result.missingFiles } : {}),
  };
}

/**
 * A compact line: its message without terminal escape sequences (a coloured logger's `\u001b[32m` costs
 * an agent tokens and says nothing) and cut at `MESSAGE_CHARS_MAX` characters (never inside a surrogate pair).
 */
function toAiLine(
  line: LogLine,
  hasApp: boolean,
  strip: (text: string) => string,
): ReturnType<typeof toAiLogLine> {
  const raw = toAiLogLine(line, hasApp);
  return { ...raw, m: cutAiMessage(strip(raw.m)) };
}

/** The log engine's `stripAnsi` when a line holds ESC or CSI (loaded only then), else nothing to do. */
async function ansiStripperFor(lines: readonly LogLine[]): Promise<(text: string) => string> {
  if (!lines.some((line) => line.line.includes('\u001b') || line.line.includes('\u009b')))
    return (text) => text;
  return (await import('@velos/log-engine')).stripAnsi;
}

/** A line's `l` may be trace, which the log engine folds into debug: a search for it is one for debug. */
function searchLevel<L extends string>(level: L | 'trace'): Exclude<L, 'trace'> | 'debug' {
  return level === 'trace' ? 'debug' : (level as Exclude<L, 'trace'>);
}
