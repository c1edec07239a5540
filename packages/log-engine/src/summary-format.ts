import type { Anomaly } from './anomaly-detector.js';
import type { ExitFact } from './exit-facts.js';
import { LEVELS, type Level } from './levels.js';
import type { Pattern } from './log-engine.js';
import type { Summary } from './summary.js';
import {
  formatClock,
  formatCount,
  formatDay,
  formatRate,
  formatSpan,
  formatZone,
  type TimeFormatOptions,
} from './time-format.js';

/** Options of `formatSummary`. */
export interface SummaryFormatOptions extends TimeFormatOptions {
  /** Longest template or line shown; default 120 characters. */
  maxWidth?: number;
}

/** The compact JSON form of a summary: short, no empty fields, ISO times. */
export interface SummaryJson {
  period?: { from: string; to: string };
  lines: number;
  health: number;
  templates: number;
  /** Events by level (a continuation line is in none). */
  levels: Partial<Record<Level, number>>;
  /** Lines that continue an event (stack frames, blank lines); absent when none. */
  continuationLines?: number;
  top: PatternJson[];
  /** The error and fatal templates, fatal first (see `Summary.errors`); absent when none. */
  errors?: PatternJson[];
  anomalies: { at: string; metric: string; value: number; mean: number; z: number; severity: string }[];
  lastError?: { at?: string; level: Level; message: string; line: string };
  lastRestart?: { at: string; reason?: string };
  /** Exits of the period (present when the summary was given exits), the newest one first-hand. */
  exits?: {
    count: number;
    crashes: number;
    restarts: number;
    last?: { at: string; code?: number; signal?: string; reason?: string };
  };
}

/** A pattern in the JSON form of a summary. */
export interface PatternJson {
  id: number;
  template: string;
  count: number;
  /** Its error and fatal lines, when not all of its lines are errors. */
  errorCount?: number;
  perMin?: number;
  trend: string;
  level: Level;
  /** The top frame of the stack trace under its last error that had one. */
  frame?: string;
}

const ANOMALIES_SHOWN = 3;

/**
 * Renders a summary as a few lines of text: period and totals, levels (and continuation lines), top
 * patterns (an error template's top stack frame on the line under it), the error templates not among
 * them, anomalies, last error, last restart and the exits of the period (when given). A time of another
 * day than the period's last one (the header's) is written with its date.
 *
 * @example
 * console.log(formatSummary(summarize(lines), { utc: true }));
 */
export function formatSummary(summary: Summary, options: SummaryFormatOptions = {}): string {
  const width = options.maxWidth ?? 120;
  const head: string[] = [];
  if (summary.period) head.push(`${formatPeriod(summary.period.from, summary.period.to, options)}`);
  head.push(
    `${formatCount(summary.lines)} line${summary.lines === 1 ? '' : 's'}`,
    `${formatCount(summary.templates)} template${summary.templates === 1 ? '' : 's'}`,
  );
  head.push(`health ${summary.health}/100`);
  const out = [head.join(' · ')];
  const levels = LEVELS.filter((l) => summary.levels[l] > 0).map(
    (l) => `${formatCount(summary.levels[l])} ${l}`,
  );
  const continued =
    summary.continuationLines > 0
      ? ` (+${formatCount(summary.continuationLines)} continuation lines: stack frames, blank lines)`
      : '';
  out.push(`levels: ${levels.length > 0 ? levels.join(' · ') : 'none'}${continued}`);
  summary.top.forEach((p, i) => {
    out.push(`${i === 0 ? 'top:' : '    '} ${formatPattern(p, width)}`);
    if (p.frame !== undefined) out.push(`       ${clip(p.frame, width)}`);
  });
  // the error templates the top list does not already show
  const shown = new Set(summary.top.map((p) => p.templateId));
  const listed = summary.errors.filter((p) => !shown.has(p.templateId));
  listed.forEach((p, i) => {
    out.push(`${i === 0 ? 'errors:' : '       '} ${formatPattern(p, width)}`);
    if (p.frame !== undefined) out.push(`          ${clip(p.frame, width)}`);
  });
  // the error events of templates beyond the lists: said, so that no error goes unmentioned
  const unlisted = unlistedErrors(summary);
  if (unlisted > 0) {
    const what = `+${formatCount(unlisted)} error event${unlisted === 1 ? '' : 's'} of templates not listed here`;
    out.push(`${listed.length === 0 ? 'errors:' : '       '} (${what})`);
  }
  // a clock alone is a time of the period's last day: the header names it
  const lastDay = summary.period === undefined ? undefined : formatDay(summary.period.to, options);
  const timeOf: TimeOf = (ts, seconds) => {
    const day = formatDay(ts, options);
    const clock = formatClock(ts, options, seconds);
    return lastDay === undefined || day === lastDay ? clock : `${day} ${clock}`;
  };
  if (summary.anomalies.length > 0) {
    const shown = summary.anomalies.slice(-ANOMALIES_SHOWN).map((a) => formatAnomaly(a, timeOf));
    const more = summary.anomalies.length - shown.length;
    out.push(`anomalies: ${shown.join(' · ')}${more > 0 ? ` (+${more} earlier)` : ''}`);
  } else {
    out.push('anomalies: none');
  }
  if (summary.lastError) {
    const at = summary.lastError.ts === undefined ? '' : ` ${timeOf(summary.lastError.ts, true)}`;
    out.push(`last ${summary.lastError.level}${at}: ${clip(summary.lastError.message.trim(), width)}`);
  }
  if (summary.lastRestart) {
    const reason = summary.lastRestart.reason ? ` (${summary.lastRestart.reason})` : '';
    out.push(`last restart ${timeOf(summary.lastRestart.ts, true)}${reason}`);
  }
  if (summary.exits && summary.exits.exits > 0) out.push(formatExits(summary.exits, timeOf));
  return out.join('\n');
}

/** The compact JSON form of a summary, for `--json` and AI agents. */
export function summaryToJson(summary: Summary): SummaryJson {
  const levels: Partial<Record<Level, number>> = {};
  for (const l of LEVELS) if (summary.levels[l] > 0) levels[l] = summary.levels[l];
  const { period, lastError, lastRestart } = summary;
  const json: SummaryJson = {
    ...(period ? { period: { from: iso(period.from), to: iso(period.to) } } : {}),
    lines: summary.lines,
    health: summary.health,
    templates: summary.templates,
    levels,
    ...(summary.continuationLines > 0 ? { continuationLines: summary.continuationLines } : {}),
    top: summary.top.map(patternToJson),
    ...(summary.errors.length > 0 ? { errors: summary.errors.map(patternToJson) } : {}),
    anomalies: summary.anomalies.map((a) => ({
      at: iso(a.minute),
      metric: a.metric,
      value: round(a.value),
      mean: round(a.mean),
      z: round(a.zScore),
      severity: a.severity,
    })),
  };
  if (lastError) {
    json.lastError = {
      ...(lastError.ts === undefined ? {} : { at: iso(lastError.ts) }),
      level: lastError.level,
      message: lastError.message,
      line: lastError.line,
    };
  }
  if (lastRestart) {
    json.lastRestart = {
      at: iso(lastRestart.ts),
      ...(lastRestart.reason === undefined ? {} : { reason: lastRestart.reason }),
    };
  }
  if (summary.exits) {
    const { exits, crashes, restarts, last } = summary.exits;
    json.exits = {
      count: exits,
      crashes,
      restarts,
      ...(last === undefined
        ? {}
        : {
            last: {
              at: iso(last.ts),
              ...(last.code === undefined || last.code === null ? {} : { code: last.code }),
              ...(last.signal === undefined || last.signal === null ? {} : { signal: last.signal }),
              ...(last.reason === undefined ? {} : { reason: last.reason }),
            },
          }),
    };
  }
  return json;
}

/** `exits: 12 (12 crashes, 11 restarts) · last 10:42:07 code 1 (crash)`. */
function formatExits(stats: NonNullable<Summary['exits']>, timeOf: TimeOf): string {
  const counts = `${formatCount(stats.exits)} (${formatCount(stats.crashes)} crash${stats.crashes === 1 ? '' : 'es'}, ${formatCount(stats.restarts)} restart${stats.restarts === 1 ? '' : 's'})`;
  return stats.last === undefined
    ? `exits: ${counts}`
    : `exits: ${counts} · last ${timeOf(stats.last.ts, true)} ${exitHow(stats.last)}`;
}

/**
 * The error and fatal events of `summary` that none of its listed patterns holds (top and errors list
 * at most a few templates each); 0 when they all are.
 */
function unlistedErrors(summary: Summary): number {
  const counts = new Map<number, number>();
  for (const p of summary.top) {
    if (p.level === 'error' || p.level === 'fatal') counts.set(p.templateId, p.errorCount ?? p.count);
  }
  // the errors list counts a template's error lines only already
  for (const p of summary.errors) counts.set(p.templateId, p.count);
  let listed = 0;
  for (const count of counts.values()) listed += count;
  return Math.max(0, summary.levels.error + summary.levels.fatal - listed);
}

/** A time as the summary writes it: its clock (with seconds when asked), its date first when needed. */
type TimeOf = (ts: number, seconds: boolean) => string;

/** `code 1 (crash)`, `signal SIGKILL (memory)`. */
function exitHow(exit: ExitFact): string {
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? '?'}`;
  return exit.reason === undefined ? how : `${how} (${exit.reason})`;
}

function patternToJson(p: Pattern): PatternJson {
  return {
    id: p.templateId,
    template: p.template,
    count: p.count,
    ...(p.errorCount === undefined ? {} : { errorCount: p.errorCount }),
    ...(p.perMinute === undefined ? {} : { perMin: round(p.perMinute) }),
    trend: p.trend,
    level: p.level,
    ...(p.frame === undefined ? {} : { frame: p.frame }),
  };
}

function formatPeriod(from: number, to: number, options: TimeFormatOptions): string {
  const zone = ` ${formatZone(from, options)}`;
  const span = ` (${formatSpan(to - from)})`;
  if (formatDay(from, options) === formatDay(to, options)) {
    return `${formatDay(from, options)} ${formatClock(from, options)}–${formatClock(to, options)}${zone}${span}`;
  }
  return `${formatDay(from, options)} ${formatClock(from, options)} – ${formatDay(to, options)} ${formatClock(to, options)}${zone}${span}`;
}

function formatPattern(p: Pattern, width: number): string {
  // `[66 error]`: of the pattern's lines, 66 are errors (the others are not)
  const some = p.errorCount === undefined ? '' : `${formatCount(p.errorCount)} `;
  const tag = p.level === 'fatal' || p.level === 'error' || p.level === 'warn' ? `[${some}${p.level}] ` : '';
  const rate = p.perMinute === undefined ? p.trend : `${formatRate(p.perMinute)}/min, ${p.trend}`;
  return `${formatCount(p.count)}× ${tag}${clip(p.template, width)} (${rate})`;
}

function formatAnomaly(a: Anomaly, timeOf: TimeOf): string {
  const at = timeOf(a.minute, false);
  if (a.metric === 'volume') {
    return `${at} volume ${formatCount(a.value)}/min (mean ${formatRate(a.mean)}, ${a.severity})`;
  }
  return `${at} error rate ${percent(a.value)} (mean ${percent(a.mean)}, ${a.severity})`;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// C0 controls but the tab, DEL and C1 controls: written to a terminal they move the cursor, ring, or start
// an escape sequence (binary input read as lines holds them all)
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** `text` cut to `width` characters, each control character shown as `�`, so the digest prints as text. */
function clip(text: string, width: number): string {
  const shown = text.replace(CONTROLS, '\ufffd');
  return shown.length > width ? `${shown.slice(0, width - 1)}…` : shown;
}
