import type { LogDedupeInfo, LogErroredInfo, LogsAnalyzeRequest, LogsAnalyzeResult } from '@velos/core';
import {
  countExits,
  createRecordParser,
  dedupe,
  ExitContext,
  type ExitFact,
  erroredHealth,
  isAtLeast,
  LEVELS,
  type Level,
  LogEngine,
  type LogRecord,
  type ParsedRecord,
  type RecordParser,
  type Summary,
} from '@velos/log-engine';
import { createLineDecoder } from '../logs/line-format.js';
import { createErrorWatches, estimateLines, firstTimeOf, nextSkip, windowFor } from './analyze-sampling.js';
import { AppShares, shareOf } from './app-shares.js';
import { isDaemonNote } from './daemon-note.js';
import { fitEstimates } from './fit-estimates.js';
import { grepMatches } from './grep-match.js';
import { compileGrep } from './grep-pattern.js';
import { pidLineFilter } from './instance-pids.js';
import {
  clip,
  renderAnalysis,
  summaryWindowText,
  toAnomalyInfo,
  toPatternInfo,
  toSummaryInfo,
} from './log-analysis-view.js';
import {
  createChunkBuffers,
  hasStream,
  type LogSource,
  listLogSources,
  scanSource,
  VISIT_NEXT,
} from './log-scan.js';
import { type LogQueryTarget, logQueryBudgetMs, queryFilesOf } from './log-target.js';
import { ParseGaps } from './parse-gaps.js';
import { bytesLeft, newestOf, readFairly, readFromOf } from './read-fairly.js';
import { planReads, type ReadPart } from './read-plan.js';
import { userRulesOf } from './target-rules.js';

/** Lines sampled for the engine at most: beyond, a uniform random sample of about this size (counts weighted). */
export const ANALYZE_SAMPLE_LINES = 50_000;
/** Error and fatal lines of a sampled range given to the engine whole (their templates and counts exact). */
export const ANALYZE_EXACT_ERRORS = 20_000;
/** Dedupe: the newest lines of the range that are collapsed. */
export const DEDUPE_MAX_LINES = 20_000;
/** Top patterns of a summary when the request does not say. */
export const DEFAULT_SUMMARY_TOP = 5;
/** Patterns, entries or anomalies listed when the request does not say. */
export const DEFAULT_ANALYZE_LIMIT = 10;
/** Templates one analysis keeps at most: with the per-minute window, its memory bound (≤ 6 MB). */
const MAX_TEMPLATES = 1000;
/**
 * Bytes per ms of the budget below which one app's files are read oldest first and go to the engine as
 * they are read (the order it needs), not held to be sorted: 5 MB/s, a ninth of a sampled read on an idle
 * 2-core machine (1M lines, 43 MB, in ~0.95 s), so 50 MB in the 10 s budget. Holding the sampled lines cost
 * a third more CPU (1M lines: ~700 → ~930 ms), mostly the collector's.
 */
const STRAIGHT_BYTES_PER_MS = 5000;

/**
 * ENG-2/4/5/6 over the files of one app or several (`all`, a namespace, a /regex/ of names; rotated
 * files included): every line of the range is counted, and
 * up to 50,000 of them (all of them, or a uniform random sample) go through a fresh `LogEngine`, each
 * sampled line counting for the lines it stands for. A sample never passes over an error: the lines
 * `findErrorHints` points at are read and classified, and every error and fatal event is counted
 * exactly, is the last error when it is the newest, and goes to the engine (the first 20,000 of them;
 * beyond, they are sampled like the others). A continuation line (a stack frame, a blank line, see
 * `isContinuationLine`) is no event: it is counted apart and never the last error. Dedupe collapses the newest 20,000 lines. At most 10 s of
 * reading; memory is bounded by the engine's template bound. Over several apps the apps share the
 * sample, the time budget and the dedupe lines: one engine sees their lines merged by time, a summary
 * adds each app's lines, events and health (`apps`), a pattern the apps it comes from, and dedupe
 * collapses each app's lines apart. Each app's lines are parsed with its own `log_rules` (ENG-1), and
 * its exits from the event store (`LogQueryTarget.exits`) lower its health and raise the stderr lines
 * just before a crash to errors (ENG-1/6 exit context).
 */
export async function analyzeLogs(
  targets: LogQueryTarget | LogQueryTarget[],
  request: LogsAnalyzeRequest,
): Promise<LogsAnalyzeResult> {
  const apps = Array.isArray(targets) ? targets : [targets];
  const isMulti = apps.length > 1;
  // a target may select no app (`all` before any start): an empty view, named by the target
  const only = apps.length === 1 ? apps[0] : undefined;
  const regex = request.grep === undefined ? undefined : compileGrep(request.grep, request.ignoreCase);
  const since = request.since ?? (request.periodMs === undefined ? undefined : Date.now() - request.periodMs);
  const budgetMs = logQueryBudgetMs();
  const range = { since, until: request.until, deadline: Date.now() + budgetMs };
  const appSources: { source: LogSource; app: number }[] = [];
  for (const [app, target] of apps.entries()) {
    target.flushTimeIndex();
    for (const files of queryFilesOf(target)) {
      for (const source of await listLogSources({ ...files, lineTimes: target.lineTimes }, range)) {
        if (hasStream(source.stream, request.stream)) appSources.push({ source, app });
      }
    }
  }
  appSources.sort((a, b) => a.app - b.app || a.source.endTs - b.source.endTs);
  const sources = appSources.map((entry) => entry.source);
  // each app's files in parts, newest first: what the budget leaves unread is the oldest
  const plans = planReads(appSources, apps.length, range);
  const isDedupe = request.view === 'dedupe';
  // ENG-1/6: each app's exits over its lines' time (crashes lower the health, their last stderr lines are errors)
  const exitsOf: ExitFact[][] = await Promise.all(
    apps.map(async (target, app) =>
      isDedupe
        ? []
        : ((await target.exits?.({
            since: firstTimeOf(
              appSources.filter((entry) => entry.app === app).map((entry) => entry.source),
              range,
            ),
            until: range.until,
          })) ?? []),
    ),
  );
  const estimated = await estimateLines(sources);
  // the estimate is within a few percent: a range of about the sample's size is read whole; a sample
  // keeps one line in `weight`, and each line it keeps counts for `weight` lines
  const weight =
    isDedupe || estimated <= ANALYZE_SAMPLE_LINES * 1.2 ? 1 : Math.ceil(estimated / ANALYZE_SAMPLE_LINES);
  const rate = 1 / weight;
  const engine = new LogEngine({
    windowMinutes: windowFor(sources, range),
    maxTemplates: MAX_TEMPLATES,
    ...(only === undefined ? {} : userRulesOf(only)),
  });
  // each app's own parser: its rules, its events never continued by another app's lines, and its .NET
  // headers still waiting for their message ended at the end of each part read (`end`)
  const parsers: (RecordParser | undefined)[] = apps.map(() => undefined);
  const parserOf = (app: number): RecordParser => {
    parsers[app] ??= createRecordParser(userRulesOf(apps[app]!));
    return parsers[app]!;
  };
  const shares = isMulti
    ? new AppShares(
        apps.map((target) => target.name),
        (id) => engine.miner.resolve(id),
      )
    : undefined;
  // the sampled lines wait here to reach the engine in time order (its per-minute history and
  // anomalies judge a minute once it closes): the parts of the files are read newest first
  const pending: Pending[] = [];
  let seq = 0;
  // one app whose bytes the budget reads many times over: oldest first, each line to the engine at once
  const isStraight = only !== undefined && bytesLeft(plans[0]!) <= budgetMs * STRAIGHT_BYTES_PER_MS;
  const feed = (parsed: ParsedRecord, weight: number, app: number, order: number, rank: number): void => {
    const isError = !parsed.isContinuation && (parsed.level === 'error' || parsed.level === 'fatal');
    if (!isError) shares?.countLine(app, parsed.level, parsed.isContinuation, weight);
    if (isStraight) engine.add(parsed, weight);
    else pending.push({ parsed, weight, app, order, rank, seq: seq++ });
  };
  let recent: Deduped[] = [];
  let newest: Deduped[] = [];
  let lastError:
    | { ts: number | undefined; level: 'error' | 'fatal'; message: string; rank: number }
    | undefined;
  const errors = { error: 0, fatal: 0 };
  let exactErrors = 0;
  let lines = 0;
  /** Lines read of each app (exact, as `lines`). */
  const linesOf = apps.map(() => 0);
  let analyzed = 0;
  const read = new Set<LogSource>();
  // plain lines behind a time prefix (`log_date_format`): the engine reads them as the app wrote them
  const unprefixes = apps.map((target) =>
    target.format === 'json' || target.dateFormat === undefined
      ? undefined
      : createLineDecoder({ format: target.format, dateFormat: target.dateFormat }),
  );
  // one instance of an app whose instances share JSON Lines files: its records only (told by their pid)
  const keepOf = apps.map((target) =>
    target.pids === undefined ? {} : { keep: pidLineFilter(target.pids) },
  );
  // a sample watches for the lines that may be errors, the apps' own rules' included
  const errorWatchOf = createErrorWatches(apps);
  // the parts are read one at a time: one pair of chunk buffers for all of them
  const buffers = createChunkBuffers();
  /** Reads the lines of `part` until `deadline`; false when the deadline stopped it (`part.from` is then where it goes on). */
  const readPart = async (part: ReadPart, deadline: number): Promise<boolean> => {
    const { source, app, rank } = part;
    const unprefix = unprefixes[app];
    const isPrefixed = unprefix !== undefined;
    // a line without a time keeps its place after the timed line before it
    let order = Number.NEGATIVE_INFINITY;
    // the line before was an error counted exactly, or a line of its trace: the next one is read too
    let isInTrace = false;
    // the line before was a .NET header (or scope line) the sample read: its entry's weight
    let entryWeight: number | undefined;
    read.add(source);
    const stream = source.stream;
    const lineOf = (text: string): string => (unprefix === undefined ? text : unprefix(text).line);
    const watch = weight === 1 ? undefined : errorWatchOf(app, stream, isPrefixed ? lineOf : undefined);
    // a sample or --grep leaves lines out: the engine still judges multi-line events as over every line
    const parseWith = parserOf(app);
    const gaps = new ParseGaps(lineOf, (line) => {
      parseWith(stream === undefined ? { line } : { line, stream });
    });
    const parse = (record: LogRecord, data: Buffer, start: number, end: number, offset: number) => {
      gaps.before(data, start, offset, record.line);
      const parsed = parseWith(record);
      gaps.parsed(data, start, end, offset);
      return parsed;
    };
    // the .NET console headers (and scope lines) of each stream waiting for their message line: they
    // go with it, or as an event of their own when another line or the end of the part comes first
    const waiting = new Map<string, Held[]>();
    /** The lines of a .NET entry held, its header as `orphan` when its message never came. */
    const release = (held: Held[], orphan: ParsedRecord | undefined): void => {
      for (const [i, { parsed, weight }] of held.entries())
        countOne(i === 0 && orphan !== undefined ? orphan : parsed, weight);
    };
    /** Counts a record, holding a .NET header until its message line or another line comes. */
    const countRecord = (parsed: ParsedRecord, lineWeight: number): void => {
      const key = parsed.stream ?? 'none';
      let record = parsed;
      if (parsed.orphan !== undefined) {
        const { orphan, ...rest } = parsed;
        record = rest;
        // a header left out (a sample's gap, --grep) was not counted: neither is its orphan
        const held = waiting.get(key);
        waiting.delete(key);
        if (held !== undefined) release(held, orphan);
      }
      const held = waiting.size === 0 ? undefined : waiting.get(key);
      if (record.awaitsMessage) {
        if (held === undefined) waiting.set(key, [{ parsed: record, weight: lineWeight }]);
        else held.push({ parsed: record, weight: lineWeight });
        return;
      }
      if (held !== undefined) {
        waiting.delete(key);
        release(held, undefined);
      }
      countOne(record, lineWeight);
    };
    /**
     * Counts a record (its level possibly raised by the exit context) and gives it to the engine as
     * `lineWeight` lines: the sample's weight, 1 for a line read with an error counted exactly, 0 for a
     * line the sample passed over (visited for an error hint, or to judge the lines after it).
     */
    const countOne = (parsed: ParsedRecord, lineWeight: number): void => {
      const isPassedOver = lineWeight === 0;
      if (parsed.ts !== undefined) order = parsed.ts;
      const level = parsed.level;
      // a continuation line (a stack frame, a blank line) is part of the event before it: no error of its own
      const isError = !parsed.isContinuation && (level === 'error' || level === 'fatal');
      if (request.level !== undefined && !isAtLeast(level, request.level)) return;
      if (isError) {
        errors[level] += 1;
        shares?.countLine(app, level, false, 1);
        // the newest: by time, else by the part's place (parts are read newest first, each forward)
        const ts = parsed.ts ?? 0;
        const lastTs = lastError?.ts ?? 0;
        if (lastError === undefined || ts > lastTs || (ts === lastTs && rank >= lastError.rank)) {
          lastError = { ts: parsed.ts, level, message: parsed.message, rank };
        }
        if (weight > 1 && exactErrors < ANALYZE_EXACT_ERRORS) {
          exactErrors += 1;
          analyzed += 1;
          feed(parsed, 1, app, order, rank);
          return;
        }
      }
      if (isPassedOver) return;
      analyzed += 1;
      feed(parsed, lineWeight, app, order, rank);
    };
    const context = new ExitContext<number>(exitsOf[app]!, countRecord, { isNote: isDaemonNote });
    const visit = (
      data: Buffer,
      start: number,
      end: number,
      ts: number | undefined,
      isPassedOver: boolean,
      offset: number,
    ) => {
      const skip = weight === 1 || isPassedOver ? 0 : nextSkip(rate);
      const text = data.toString('utf8', start, end);
      if (regex !== undefined && !grepMatches(regex, text)) {
        isInTrace = false;
        return skip;
      }
      const decoded = unprefix?.(text);
      const line = decoded === undefined ? text : decoded.line;
      const time = ts ?? decoded?.ts ?? undefined;
      const record: LogRecord = time === undefined ? { line } : { ts: time, line };
      if (stream !== undefined) record.stream = stream;
      if (isDedupe) {
        if (
          request.level !== undefined &&
          !isAtLeast(parse(record, data, start, end, offset).level, request.level)
        )
          return skip;
        analyzed += 1;
        recent.push({ record, app, rank, seq: seq++ });
        if (recent.length > DEDUPE_MAX_LINES * 2) recent.splice(0, recent.length - DEDUPE_MAX_LINES);
        return skip;
      }
      // the exit context may hold the record a moment (the lines just before a crash are raised)
      const parsed = parse(record, data, start, end, offset);
      if (weight === 1) {
        context.push(parsed, isPassedOver ? 0 : 1);
        return skip;
      }
      // a .NET console entry is sampled whole: its header picks the weight of its scope and message
      // lines, read after it (an error's message is then counted exactly, as any error)
      if (entryWeight !== undefined && (parsed.header !== undefined || isScopeLine(parsed))) {
        const lineWeight = entryWeight;
        if (parsed.header !== undefined) entryWeight = undefined;
        isInTrace =
          parsed.header !== undefined &&
          (parsed.level === 'error' || parsed.level === 'fatal') &&
          exactErrors < ANALYZE_EXACT_ERRORS;
        context.push(parsed, lineWeight);
        return parsed.header === undefined || isInTrace ? VISIT_NEXT : skip;
      }
      entryWeight = undefined;
      if (parsed.awaitsMessage) {
        entryWeight = isPassedOver ? 0 : !isInTrace || Math.random() < rate ? weight : 0;
        isInTrace = false;
        context.push(parsed, entryWeight);
        return VISIT_NEXT;
      }
      // a sample reads an error it counts exactly with its whole trace, each line once and none sampled:
      // its top frame is its own, not a deeper one the sample happened to keep
      if (isInTrace && parsed.isContinuation) {
        context.push(parsed, 1);
        return VISIT_NEXT;
      }
      // the first line after such a trace was read for it, not by the sample: it is sampled now
      const lineWeight = isPassedOver ? 0 : !isInTrace || Math.random() < rate ? weight : 0;
      isInTrace =
        !parsed.isContinuation &&
        (parsed.level === 'error' || parsed.level === 'fatal') &&
        exactErrors < ANALYZE_EXACT_ERRORS;
      context.push(parsed, lineWeight);
      return isInTrace ? VISIT_NEXT : skip;
    };
    const {
      lines: count,
      completed,
      resumeAt,
    } = await scanSource(source, { ...range, deadline, ...keepOf[app] }, visit, watch, part, buffers);
    context.flush();
    // the part's end ends the .NET entries whose message did not come in it: the next part is read
    // from elsewhere in the files
    for (const orphan of parseWith.end()) {
      const key = orphan.stream ?? 'none';
      const held = waiting.get(key);
      waiting.delete(key);
      if (held !== undefined) release(held, orphan);
    }
    for (const held of waiting.values()) release(held, undefined);
    waiting.clear();
    lines += count;
    linesOf[app] = (linesOf[app] ?? 0) + count;
    if (isDedupe) {
      // the parts are read one after the other: keep the newest lines of all, in time order
      newest = newest.concat(recent.slice(-DEDUPE_MAX_LINES)).sort(byTime).slice(-DEDUPE_MAX_LINES);
      recent = [];
    }
    if (!completed && resumeAt !== undefined) part.from = resumeAt;
    return completed;
  };
  // the apps the time budget stopped before their oldest lines, and from when on each was read whole
  const partialApps = new Map<number, number | undefined>();
  // a straight read the budget stopped all the same (a machine far slower than the rate above): the
  // lines after where it stopped were not read, but for the newest bytes, read last whatever the clock says
  let isNewestCut = false;
  if (isStraight) {
    const plan = plans[0]!;
    for (const part of plan.toReversed()) {
      if (isNewestCut && !part.isNewest) continue;
      if (await readPart(part, part.isNewest ? Number.POSITIVE_INFINITY : range.deadline))
        plan.splice(plan.indexOf(part), 1);
      else isNewestCut = true;
    }
    if (isNewestCut) partialApps.set(0, undefined);
  } else {
    // the newest bytes of each app's current files are read whatever the clock says: what is happening
    // now is always in the view (64 KiB each, a few ms); the budget is shared over the rest
    for (const plan of plans) {
      for (const part of plan.filter((p) => p.isNewest)) {
        await readPart(part, Number.POSITIVE_INFINITY);
        plan.splice(plan.indexOf(part), 1);
      }
    }
    await readFairly(plans, range.deadline, readPart);
    for (const [app, left] of plans.entries()) {
      if (left.length > 0) partialApps.set(app, readFromOf(left));
    }
  }
  const isPartial = partialApps.size > 0;
  const readFrom = isPartial ? newestOf([...partialApps.values()]) : undefined;
  // the lines of one time keep their order in the file (an error before its stack frames)
  pending.sort(byTime);
  for (const { parsed, weight, app } of pending) {
    const { templateId } = engine.add(parsed, weight);
    shares?.countTemplate(app, templateId, weight);
  }
  pending.length = 0;
  // each sampled line already counted for the lines it stands for: no scaling here
  const scale = 1;
  const limit = request.limit ?? DEFAULT_ANALYZE_LIMIT;
  const withApps = <T extends { id: number }>(pattern: T): T =>
    shares === undefined ? pattern : { ...pattern, apps: shares.appsOf(pattern.id) };
  const result: LogsAnalyzeResult = {
    app: only === undefined ? request.target : only.name,
    view: request.view,
    scanned: {
      lines,
      files: filesOldestFirst([...read]),
      ...(isPartial ? { isPartial } : {}),
      ...(readFrom === undefined ? {} : { readFrom }),
    },
    ...(only?.sharedBy === undefined ? {} : { sharedBy: only.sharedBy }),
    analyzedLines: analyzed,
    sampleRate: rate === 1 ? 1 : Math.round(rate * 1e6) / 1e6,
    ...(exactErrors >= ANALYZE_EXACT_ERRORS && errors.error + errors.fatal > exactErrors
      ? { errorsSampled: true as const }
      : {}),
    text: '',
  };
  if (request.view === 'summary') {
    const top = request.limit ?? DEFAULT_SUMMARY_TOP;
    // the error and fatal lines were all counted, sampled or not
    const hasExits = apps.some((target) => target.exits !== undefined);
    const summary: Summary = engine.summary({
      top,
      lastRestart: newestRestart(apps),
      levels: errors,
      ...(hasExits ? { exits: exitsOf.flat() } : {}),
    });
    // every line of an unfiltered range was counted as it was read: its total is exact, whatever the
    // sample (only the levels and patterns of a sample are estimates), and so is each app's
    const isCounted = regex === undefined && request.level === undefined && !isPartial;
    if (isCounted) summary.lines = lines;
    if (isCounted && rate < 1) fitSampledCounts(summary, result.errorsSampled === true);
    const info = toSummaryInfo(summary, scale, lastError);
    // an app the supervisor gave up on is not healthy, however quiet its logs (erroredHealth)
    const errored = erroredOf(apps);
    result.summary = {
      ...info,
      ...(errored === undefined ? {} : { health: erroredHealth(info.health, shareOf(errored)), errored }),
      top: info.top.map(withApps),
      ...(info.errors ? { errors: info.errors.map(withApps) } : {}),
    };
    if (shares !== undefined) {
      const all = engine.patterns().map((p) => ({ id: p.templateId, level: p.level, trend: p.trend }));
      result.apps = shares
        .breakdown(
          all,
          exitsOf.map((exits) => countExits(exits).crashes),
          apps.map((target) => erroredOf([target])),
        )
        .map((share, app) => {
          if (isCounted) share.lines = linesOf[app]!;
          if (!partialApps.has(app)) return share;
          const from = partialApps.get(app);
          return { ...share, isPartial: true as const, ...(from === undefined ? {} : { readFrom: from }) };
        });
    }
  } else if (request.view === 'patterns') {
    // counted as --dedupe and --anomalies count theirs: a list cut by the limit says how much it left out
    const patterns = engine.patterns();
    result.patterns = patterns.slice(0, limit).map((pattern) => withApps(toPatternInfo(pattern, scale)));
    if (patterns.length > limit) result.omitted = patterns.length - limit;
  } else if (request.view === 'anomalies') {
    const anomalies = engine.anomalies().map((anomaly) => toAnomalyInfo(anomaly, scale));
    result.anomalies = anomalies.slice(-limit);
    if (anomalies.length > limit) result.omitted = anomalies.length - limit;
  } else {
    const entries = isMulti
      ? apps
          .flatMap((target, app) =>
            dedupeOf(newest.filter((entry) => entry.app === app)).map((entry) => ({
              ...entry,
              app: target.name,
            })),
          )
          .sort((a, b) => (a.first ?? 0) - (b.first ?? 0))
      : dedupeOf(newest);
    result.dedupe = entries.slice(-limit);
    if (entries.length > limit) result.omitted = entries.length - limit;
  }
  return renderAnalysis(
    result,
    apps.every((target) => target.hasLiveEngine),
    budgetMs,
    isNewestCut,
    request.view === 'summary' ? summaryWindowText(request) : undefined,
  );
}

/**
 * A sampled line of one of the apps (its index), waiting to go to the engine in `order` of time;
 * lines of one time go in the order of their part (`rank`, oldest first) and within it as read (`seq`).
 */
interface Pending {
  parsed: ParsedRecord;
  weight: number;
  app: number;
  order: number;
  rank: number;
  seq: number;
}

/** A line of a .NET console entry held until its message comes, with its weight. */
interface Held {
  parsed: ParsedRecord;
  weight: number;
}

/** A scope line under a .NET header (`      => RequestPath:/orders`), read with the header's entry. */
function isScopeLine(parsed: ParsedRecord): boolean {
  return parsed.awaitsMessage === true && parsed.orphan === undefined && parsed.header === undefined;
}

/** A line kept for dedupe, with the index of its app, its part's rank and its place as read. */
interface Deduped {
  record: LogRecord;
  app: number;
  rank: number;
  seq: number;
}

/** Pending lines by time, then by part and as read. */
function byTime(
  a: { order?: number; record?: LogRecord; rank: number; seq: number },
  b: { order?: number; record?: LogRecord; rank: number; seq: number },
): number {
  const at = a.order ?? a.record?.ts ?? 0;
  const bt = b.order ?? b.record?.ts ?? 0;
  return at - bt || a.rank - b.rank || a.seq - b.seq;
}

/** The lines of `kept` collapsed by template, in order of first appearance. */
function dedupeOf(kept: Deduped[]): LogDedupeInfo[] {
  const entries = dedupe(
    kept.map((entry) => entry.record),
    { maxTemplates: MAX_TEMPLATES },
  );
  return entries.map((entry) => ({
    template: clip(entry.template),
    count: entry.count,
    level: entry.level,
    ...(entry.firstTs === undefined ? {} : { first: entry.firstTs }),
    ...(entry.lastTs === undefined ? {} : { last: entry.lastTs }),
    line: clip(entry.line),
  }));
}

/** The paths of `sources`, oldest first (the apps' files are read app after app). */
function filesOldestFirst(sources: LogSource[]): string[] {
  return [...sources].sort((a, b) => a.endTs - b.endTs).map((source) => source.path);
}

/** The newest of the apps' last restarts. */
/** The errored processes of `apps`, of all their processes; none when none is errored (or unknown). */
function erroredOf(apps: readonly LogQueryTarget[]): LogErroredInfo | undefined {
  let count = 0;
  let of = 0;
  for (const target of apps) {
    count += target.errored?.count ?? 0;
    of += target.errored?.of ?? 0;
  }
  return count === 0 ? undefined : { count, of };
}

function newestRestart(apps: LogQueryTarget[]): LogQueryTarget['lastRestart'] {
  let newest: LogQueryTarget['lastRestart'];
  for (const target of apps) {
    if (target.lastRestart && (newest === undefined || target.lastRestart.ts > newest.ts)) {
      newest = target.lastRestart;
    }
  }
  return newest;
}

/**
 * Makes a sampled summary's estimated counts (its levels but error and fatal, which were counted, and
 * its continuation lines) add up to its exact `lines` with the counted ones (`fitEstimates`).
 */
function fitSampledCounts(summary: Summary, isErrorSampled: boolean): void {
  const { levels } = summary;
  const estimated: Level[] = isErrorSampled
    ? ['fatal', 'error', 'warn', 'info', 'debug']
    : ['warn', 'info', 'debug'];
  const estimates: Record<string, number> = { continuation: summary.continuationLines };
  let exact = summary.lines;
  for (const level of estimated) estimates[level] = levels[level];
  for (const level of LEVELS) if (!estimated.includes(level)) exact -= levels[level];
  const fitted = fitEstimates(estimates, exact);
  summary.continuationLines = fitted.continuation!;
  summary.levels = { ...levels };
  for (const level of estimated) summary.levels[level] = fitted[level]!;
}
