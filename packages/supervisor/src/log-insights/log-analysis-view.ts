import {
  formatSpanMs,
  type LogAnomalyInfo,
  type LogAppSummaryInfo,
  type LogExitsInfo,
  type LogLevelName,
  type LogPatternInfo,
  type LogSummaryInfo,
  type LogsAnalyzeRequest,
  type LogsAnalyzeResult,
} from '@velos/core';
import {
  type Anomaly,
  formatDedupeEntry,
  formatSummary,
  type Pattern,
  type Summary,
} from '@velos/log-engine';

/** The most bytes of text an answer carries in its lists and its text each (two halves of the 4 MiB of a `logs` answer). */
const MAX_PART_BYTES = 2 * 1024 * 1024;
/** Longest template, sample or line kept in an answer. */
const MAX_TEXT_CHARS = 2000;
/** Longest template a line of the patterns' text shows, as the summary's text cuts its own (the lists keep 2000). */
const TEXT_TEMPLATE_CHARS = 120;
/** App names the text of a pattern shows (the answer's `apps` has them all). */
const NAMED_APPS = 3;

/** A pattern as the protocol carries it, its counts scaled to the range when the lines were sampled. */
export function toPatternInfo(pattern: Pattern, scale: number): LogPatternInfo {
  return {
    id: pattern.templateId,
    template: clip(pattern.template),
    count: Math.round(pattern.count * scale),
    level: pattern.level,
    ...(pattern.errorCount === undefined ? {} : { errorCount: Math.round(pattern.errorCount * scale) }),
    ...(pattern.perMinute === undefined ? {} : { perMin: round(pattern.perMinute * scale) }),
    trend: pattern.trend,
    ...(pattern.firstTs === undefined ? {} : { first: pattern.firstTs }),
    ...(pattern.lastTs === undefined ? {} : { last: pattern.lastTs }),
    sample: clip(pattern.sample),
    ...(pattern.frame === undefined ? {} : { frame: clip(pattern.frame) }),
  };
}

/** An anomaly as the protocol carries it (a volume scaled like the counts). */
export function toAnomalyInfo(anomaly: Anomaly, scale: number): LogAnomalyInfo {
  const factor = anomaly.metric === 'volume' ? scale : 1;
  return {
    at: anomaly.minute,
    metric: anomaly.metric,
    value: round(anomaly.value * factor),
    mean: round(anomaly.mean * factor),
    z: round(anomaly.zScore),
    severity: anomaly.severity,
  };
}

/** The summary as the protocol carries it; its last error is the message (a JSON line's `msg`), not the raw line. */
export function toSummaryInfo(
  summary: Summary,
  scale: number,
  lastError: { ts: number | undefined; level: 'error' | 'fatal'; message: string } | undefined,
): LogSummaryInfo {
  const levels: Partial<Record<LogLevelName, number>> = {};
  for (const [level, count] of Object.entries(summary.levels)) {
    if (count > 0) levels[level as LogLevelName] = Math.round(count * scale);
  }
  return {
    ...(summary.period ? { period: summary.period } : {}),
    lines: Math.round(summary.lines * scale),
    levels,
    ...(summary.continuationLines > 0
      ? { continuationLines: Math.round(summary.continuationLines * scale) }
      : {}),
    health: summary.health,
    templates: summary.templates,
    top: summary.top.map((pattern) => toPatternInfo(pattern, scale)),
    ...(summary.errors.length > 0
      ? { errors: summary.errors.map((pattern) => toPatternInfo(pattern, scale)) }
      : {}),
    anomalies: summary.anomalies.map((anomaly) => toAnomalyInfo(anomaly, scale)),
    ...(lastError
      ? {
          lastError: {
            ...(lastError.ts === undefined ? {} : { at: lastError.ts }),
            level: lastError.level,
            message: clip(lastError.message.trim()),
          },
        }
      : {}),
    ...(summary.lastRestart
      ? { lastRestart: { at: summary.lastRestart.ts, reason: summary.lastRestart.reason } }
      : {}),
    ...(summary.exits ? { exits: toExitsInfo(summary.exits) } : {}),
  };
}

function toExitsInfo(exits: NonNullable<Summary['exits']>): LogExitsInfo {
  const { last } = exits;
  return {
    count: exits.exits,
    crashes: exits.crashes,
    restarts: exits.restarts,
    ...(last === undefined
      ? {}
      : {
          last: {
            at: last.ts,
            ...(last.code === undefined || last.code === null ? {} : { code: last.code }),
            ...(last.signal === undefined || last.signal === null ? {} : { signal: last.signal }),
            ...(last.reason === undefined ? {} : { reason: last.reason }),
          },
        }),
  };
}

/**
 * Fills in the text of an analysis, and cuts its lists to the answer's byte bound (`omitted` says how
 * many). `window` heads a summary's first line: the period asked (`last 1h`) or `all lines`.
 */
export function renderAnalysis(
  result: LogsAnalyzeResult,
  hasLiveEngine: boolean,
  budgetMs = 10_000,
  isNewestCut = false,
  window?: string,
): LogsAnalyzeResult {
  const out: string[] = [];
  if (result.summary) out.push(`${window === undefined ? '' : `${window} · `}${summaryText(result.summary)}`);
  if (result.apps) out.push(appsText(result.apps));
  if (result.patterns) {
    result.patterns = withinBytes(result.patterns, result);
    out.push(result.patterns.length === 0 ? 'no patterns' : result.patterns.map(patternText).join('\n'));
  }
  if (result.anomalies) {
    out.push(result.anomalies.length === 0 ? 'no anomalies' : result.anomalies.map(anomalyText).join('\n'));
  }
  if (result.dedupe) {
    result.dedupe = withinBytes(result.dedupe, result);
    out.push(
      result.dedupe
        .map((entry) => {
          // over several apps every entry names its app: a line seen once is shown as it is, so it too
          const app = entry.app === undefined ? undefined : [entry.app];
          return formatDedupeEntry({
            templateId: 0,
            template: withAppNames(entry.template, app),
            count: entry.count,
            level: entry.level,
            firstTs: entry.first,
            lastTs: entry.last,
            firstIndex: 0,
            lastIndex: entry.count - 1,
            line: withAppNames(entry.line, app),
          });
        })
        .join('\n') || 'no lines',
    );
  }
  const { scanned, sampleRate, analyzedLines } = result;
  if (sampleRate < 1) {
    const errors = result.errorsSampled
      ? 'every error and fatal line counted, the first 20,000 analysed'
      : 'every error and fatal line with it';
    out.push(
      `(a random sample of ${analyzedLines.toLocaleString('en-US')} of ${scanned.lines.toLocaleString('en-US')} lines, ${errors}: the other counts are estimates)`,
    );
  }
  if (scanned.isPartial) out.push(`(${partialText(scanned.readFrom, budgetMs, isNewestCut)})`);
  if (result.omitted) out.push(`(${result.omitted} more not shown: raise --limit)`);
  if (result.sharedBy) out.push(`(${sharedText(result.app, result.sharedBy)})`);
  if (!hasLiveEngine && result.view === 'anomalies') {
    out.push('(log_engine is off for this app: no live log.anomaly events, this view reads the files)');
  }
  result.text = out.join('\n');
  return result;
}

/**
 * The window a summary covers, said in its text: `last 1h` for a period, `all lines` with no time
 * bound (the CLI's default, while MCP's log_summary reads the last hour), none for a since/until range.
 */
export function summaryWindowText(request: LogsAnalyzeRequest): string | undefined {
  if (request.periodMs !== undefined) return `last ${formatSpanMs(request.periodMs)}`;
  return request.since === undefined && request.until === undefined ? 'all lines' : undefined;
}

/** Why an answer about one instance is about them all: they write one set of files. */
function sharedText(app: string, ids: readonly number[]): string {
  return `the processes of ${app} (ids ${ids.join(', ')}) share their log files, whose lines cannot be told apart: this is of them all (log_per_instance = true gives each its own files)`;
}

function summaryText(info: LogSummaryInfo): string {
  const summary: Summary = {
    period: info.period,
    lines: info.lines,
    levels: { fatal: 0, error: 0, warn: 0, info: 0, debug: 0, ...info.levels },
    continuationLines: info.continuationLines ?? 0,
    health: info.health,
    templates: info.templates,
    top: info.top.map(toPattern),
    errors: (info.errors ?? []).map(toPattern),
    anomalies: info.anomalies.map((a) => ({
      minute: a.at,
      metric: a.metric,
      value: a.value,
      mean: a.mean,
      stddev: 0,
      zScore: a.z,
      severity: a.severity,
    })),
    lastError: info.lastError && {
      ts: info.lastError.at,
      level: info.lastError.level,
      line: info.lastError.message,
      message: info.lastError.message,
      templateId: 0,
    },
    lastRestart: info.lastRestart && { ts: info.lastRestart.at, reason: info.lastRestart.reason },
    exits: info.exits && {
      exits: info.exits.count,
      crashes: info.exits.crashes,
      restarts: info.exits.restarts,
      last: info.exits.last && {
        ts: info.exits.last.at,
        code: info.exits.last.code,
        signal: info.exits.last.signal,
        reason: info.exits.last.reason,
        isCrash: false,
      },
    },
  };
  const text = formatSummary(summary);
  return info.errored === undefined ? text : `${text}\n${erroredText(info.errored)}`;
}

/** What a summary says of its errored processes, whose status its health follows. */
function erroredText({ count, of }: { count: number; of: number }): string {
  const which =
    count >= of
      ? of === 1
        ? 'its process is'
        : `all ${of} processes are`
      : `${count} of ${of} processes are`;
  return `status: ${which} errored (restarts gave up): health ${count >= of ? 'is 0' : 'at most 50'}, whatever the logs say`;
}

function toPattern(p: LogPatternInfo): Pattern {
  return {
    templateId: p.id,
    template: withAppNames(p.template, p.apps),
    count: p.count,
    level: p.level,
    errorCount: p.errorCount,
    firstTs: p.first,
    lastTs: p.last,
    perMinute: p.perMin,
    trend: p.trend,
    sample: p.sample,
    ...(p.frame === undefined ? {} : { frame: p.frame }),
  };
}

function patternText(p: LogPatternInfo): string {
  // `[84 error]`: of the pattern's lines, 84 are errors (the others are not), as in the summary
  const some = p.errorCount === undefined ? '' : `${p.errorCount.toLocaleString('en-US')} `;
  const tag = p.level === 'fatal' || p.level === 'error' || p.level === 'warn' ? `[${some}${p.level}] ` : '';
  const perMin = p.perMin === undefined ? undefined : p.perMin >= 100 ? Math.round(p.perMin) : p.perMin;
  const rate = perMin === undefined ? p.trend : `${perMin.toLocaleString('en-US')}/min, ${p.trend}`;
  const template = clip(withAppNames(p.template, p.apps), TEXT_TEMPLATE_CHARS);
  return `${p.count.toLocaleString('en-US')}× ${tag}${template} (${rate})`;
}

/** A template of a view over several apps as `velos logs` prints a line: `api, worker | template` (3 names at most, then `+N`). */
function withAppNames(template: string, apps: string[] | undefined): string {
  if (apps === undefined || apps.length === 0) return template;
  const more = apps.length > NAMED_APPS ? ` +${apps.length - NAMED_APPS}` : '';
  return `${apps.slice(0, NAMED_APPS).join(', ')}${more} | ${template}`;
}

/** Each app's share of a summary over several apps, one line each. */
function appsText(apps: LogAppSummaryInfo[]): string {
  const width = Math.max(...apps.map((app) => app.name.length));
  return apps
    .map((app, i) => {
      const parts = [app.lines === 1 ? '1 line' : `${app.lines.toLocaleString('en-US')} lines`];
      for (const level of ['fatal', 'error', 'warn'] as const) {
        const count = app.levels[level];
        if (count !== undefined) parts.push(`${count.toLocaleString('en-US')} ${level}`);
      }
      parts.push(`health ${app.health}/100`);
      if (app.errored !== undefined) parts.push(`${app.errored.count} of ${app.errored.of} errored`);
      if (app.isPartial) {
        parts.push(
          app.readFrom === undefined
            ? 'partial: its oldest lines were not read'
            : `partial: its lines before ${clock(app.readFrom)} were not all read`,
        );
      }
      return `${i === 0 ? 'apps:' : '     '} ${app.name.padEnd(width)}  ${parts.join(' · ')}`;
    })
    .join('\n');
}

/**
 * What a view the time budget stopped read: the newest lines are read first, so what was left is the
 * oldest: before `readFrom` (when the time index says). A log small enough to be read oldest first
 * (`isNewestCut`) that the budget stopped all the same left lines before its newest bytes unread.
 */
function partialText(readFrom: number | undefined, budgetMs: number, isNewestCut: boolean): string {
  const budget = `the ${budgetMs >= 1000 ? `${Math.round(budgetMs / 100) / 10} s` : `${budgetMs} ms`} time budget ran out`;
  if (isNewestCut) return `${budget}: lines from before the newest 64 KiB of each file were not all read`;
  if (readFrom === undefined) return `${budget}: the oldest lines were not read`;
  return `${budget}: the lines before ${clock(readFrom)} were not all read (every line from then on was)`;
}

/** `2026-12-05 10:42:13`, local time. */
function clock(ts: number): string {
  return new Date(ts).toLocaleString('sv-SE');
}

function anomalyText(a: LogAnomalyInfo): string {
  const at = new Date(a.at).toLocaleString('sv-SE').slice(0, 16);
  const value =
    a.metric === 'volume'
      ? `volume ${a.value}/min (mean ${a.mean}`
      : `error rate ${Math.round(a.value * 100)}% (mean ${Math.round(a.mean * 100)}%`;
  return `${at} ${value}, z ${a.z}, ${a.severity})`;
}

function withinBytes<T>(items: T[], result: LogsAnalyzeResult): T[] {
  let bytes = 0;
  for (let i = 0; i < items.length; i += 1) {
    bytes += JSON.stringify(items[i]).length;
    if (bytes > MAX_PART_BYTES) {
      result.omitted = (result.omitted ?? 0) + items.length - i;
      return items.slice(0, i);
    }
  }
  return items;
}

/** `text` cut to `maxChars` (2000 unless told) characters, its last an ellipsis. */
export function clip(text: string, maxChars = MAX_TEXT_CHARS): string {
  if (text.length <= maxChars) return text;
  // never half of a surrogate pair (an emoji drawn as a box)
  const code = text.charCodeAt(maxChars - 2);
  const kept = code >= 0xd800 && code <= 0xdbff ? maxChars - 2 : maxChars - 1;
  return `${text.slice(0, kept)}…`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
